import type { Certification, CertificationStatus } from './generated/prisma/client';

/**
 * What a certification's status is at `now`: an APPROVED certificate whose
 * validUntil has passed reads as EXPIRED at once, with no background job.
 */
export function effectiveStatus(certification: Certification, now: Date): CertificationStatus {
  if (certification.status === 'APPROVED' && certification.validUntil && certification.validUntil <= now) {
    return 'EXPIRED';
  }
  return certification.status;
}

export function isValidCertificate(certification: Certification, now: Date): boolean {
  return effectiveStatus(certification, now) === 'APPROVED';
}

const PUBLIC_STATUSES: ReadonlySet<CertificationStatus> = new Set(['APPROVED', 'EXPIRED', 'REVOKED']);

/**
 * The certification shown on a product: for the public the latest certificate
 * ever issued (APPROVED, EXPIRED or REVOKED); certifiers also see the latest
 * application (PENDING or REJECTED). `newestFirst` is the product's history.
 */
export function currentCertification(newestFirst: Certification[], staff: boolean): Certification | null {
  if (staff) return newestFirst[0] ?? null;
  return newestFirst.find((certification) => PUBLIC_STATUSES.has(certification.status)) ?? null;
}
