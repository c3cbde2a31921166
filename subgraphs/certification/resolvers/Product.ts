import { capCacheAge } from '../../../common/cachePolicy';
import { dependencyUnavailable } from '../../../common/errors';
import { isCertifier } from '../../../common/identity';
import { currentCertification, isValidCertificate } from '../certificationStatus';
import { decideEligibility } from '../eligibility';
import type { Certification as CertificationModel } from '../generated/prisma/client';
import type { ProductResolvers } from '../generated/graphql';

// A cached answer about a product's certificate must not outlive the certificate.
function capAtLapse(context: object, certifications: CertificationModel[], now: Date): void {
  const lapses = certifications
    .filter((certification) => isValidCertificate(certification, now) && certification.validUntil)
    .map((certification) => certification.validUntil!.getTime());
  if (lapses.length) capCacheAge(context, (Math.min(...lapses) - now.getTime()) / 1000);
}

export const Product: ProductResolvers = {
  // Any product id is a valid reference: a product never certified has no certification.
  __resolveReference: (reference) => reference,
  certification: async (product, _args, context) => {
    const { identity, loaders, now } = context;
    const certifications = await loaders.certificationsByProductId.load(product.id);
    capAtLapse(context, certifications, now);
    return currentCertification(certifications, isCertifier(identity));
  },
  reliefCertified: async (product, _args, context) => {
    const { loaders, now } = context;
    const certifications = await loaders.certificationsByProductId.load(product.id);
    capAtLapse(context, certifications, now);
    return certifications.some((certification) => isValidCertificate(certification, now));
  },
  // The supplier facts arrive with the representation (@requires): nothing to
  // read here. They are missing only when the suppliers subgraph could not
  // answer the gateway, and then eligibility is unknown, not false.
  reliefEligibility: (product) => {
    const supplier = product.supplier;
    if (!supplier?.region || typeof supplier.beneficiaryHouseholds !== 'number' || typeof supplier.region.designatedPovertyCounty !== 'boolean') {
      throw dependencyUnavailable('suppliers', "Eligibility is unknown: the supplier's facts could not be read.");
    }
    return decideEligibility({
      regionCode: supplier.region.code ?? null,
      designatedPovertyCounty: supplier.region.designatedPovertyCounty,
      beneficiaryHouseholds: supplier.beneficiaryHouseholds,
    });
  },
};
