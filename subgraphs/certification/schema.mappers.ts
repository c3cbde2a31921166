import type { ErrorCode } from '../../common/errors';
import type { Connection } from '../../common/connection';
import type { Certification } from './generated/prisma/client';

/**
 * Product as the certification subgraph sees it: the key, plus the supplier
 * facts the gateway fetches for `reliefEligibility` through @requires.
 */
export interface ProductRepresentation {
  id: string;
  supplier?: {
    beneficiaryHouseholds?: number | null;
    region?: { code?: string | null; designatedPovertyCounty?: boolean | null } | null;
  } | null;
}

/** A page of certifications; the total is counted only when a client asks for it. */
export type CertificationConnection = Connection<Certification>;

export interface CertifyProductsResult {
  certified: Certification[];
  failed: { productId: string; code: typeof ErrorCode.NOT_FOUND | typeof ErrorCode.INELIGIBLE | typeof ErrorCode.CONFLICT; message: string }[];
}
