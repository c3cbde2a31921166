import { demoCatalog, type DemoCatalog } from '../../demo/demoCatalog';
import { certificateNumber, certificateYear } from './certificationLifecycle';
import type { Prisma } from './generated/prisma/client';
import type { CertificationDb } from './store';

export interface DemoCertificationRows {
  certifications: Prisma.CertificationCreateManyInput[];
  certificationEvents: Prisma.CertificationEventCreateManyInput[];
  certificateSequences: Prisma.CertificateSequenceCreateManyInput[];
}

/**
 * The demo certifications as rows: every issued certificate numbered per
 * (year, origin county) in order of issue, and the sequences where those
 * numbers stop, as approving them one by one would have left them.
 */
export function demoCertificationRows(catalog: Pick<DemoCatalog, 'products' | 'certifications' | 'certificationEvents'>): DemoCertificationRows {
  const originOf = new Map(catalog.products.map((product) => [product.id, product.originRegionCode]));
  const lastValue = new Map<string, { year: number; regionCode: string; lastValue: number }>();
  const numberOf = new Map<string, string>();
  const issuedInOrder = catalog.certifications
    .filter((certification) => certification.validFrom !== null && certification.validFrom !== undefined)
    .map((certification) => ({ certification, issuedAt: new Date(certification.validFrom!) }))
    .sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime());
  for (const { certification, issuedAt } of issuedInOrder) {
    const year = certificateYear(issuedAt);
    const regionCode = originOf.get(certification.productId);
    if (!regionCode) throw new Error(`demo certification ${certification.id} is of unknown product ${certification.productId}`);
    const key = `${year}:${regionCode}`;
    const sequence = { year, regionCode, lastValue: (lastValue.get(key)?.lastValue ?? 0) + 1 };
    lastValue.set(key, sequence);
    numberOf.set(certification.id, certificateNumber(year, regionCode, sequence.lastValue));
  }
  return {
    certifications: catalog.certifications.map((certification) => ({ ...certification, certificateNumber: numberOf.get(certification.id) ?? null })),
    certificationEvents: catalog.certificationEvents,
    certificateSequences: [...lastValue.values()],
  };
}

/** Seeds the demo certifications, their history and certificate sequences into an empty store. */
export async function seedCertificationIfEmpty(db: CertificationDb, now = new Date()): Promise<boolean> {
  if ((await db.certification.count()) > 0) return false;
  const rows = demoCertificationRows(demoCatalog(now));
  await db.$transaction(
    async (tx) => {
      await tx.certification.createMany({ data: rows.certifications });
      await tx.certificationEvent.createMany({ data: rows.certificationEvents });
      await tx.certificateSequence.createMany({ data: rows.certificateSequences });
    },
    // Prisma's default of 5 s is for requests; on a busy machine this one-off seed can take longer.
    { timeout: 60_000 },
  );
  return true;
}
