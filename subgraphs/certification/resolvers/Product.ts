import { isCertifier } from '../../../common/identity';
import { currentCertification, isValidCertificate } from '../certificationStatus';
import { decideEligibility } from '../eligibility';
import type { ProductResolvers } from '../generated/graphql';

export const Product: ProductResolvers = {
  // Any product id is a valid reference: a product never certified has no certification.
  __resolveReference: (reference) => reference,
  certification: async (product, _args, { identity, loaders }) =>
    currentCertification(await loaders.certificationsByProductId.load(product.id), isCertifier(identity)),
  reliefCertified: async (product, _args, { loaders, now }) =>
    (await loaders.certificationsByProductId.load(product.id)).some((certification) => isValidCertificate(certification, now)),
  // The supplier facts arrive with the representation (@requires): nothing to read here.
  reliefEligibility: (product) =>
    decideEligibility({
      regionCode: product.supplier?.region?.code ?? null,
      designatedPovertyCounty: product.supplier?.region?.designatedPovertyCounty === true,
      beneficiaryHouseholds: product.supplier?.beneficiaryHouseholds ?? 0,
    }),
};
