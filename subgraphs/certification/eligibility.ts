/** The facts eligibility is decided on, all owned by the suppliers subgraph. */
export interface EligibilityFacts {
  regionCode: string | null;
  designatedPovertyCounty: boolean;
  beneficiaryHouseholds: number;
}

export interface Eligibility {
  eligible: boolean;
  reasons: string[];
}

/**
 * A product may be certified as a poverty-relief good when its supplier is in
 * a designated poverty county, or employs or buys from registered beneficiary
 * households. The reasons name each rule and whether it held.
 */
export function decideEligibility(facts: EligibilityFacts): Eligibility {
  const county = facts.regionCode ? `county ${facts.regionCode}` : 'county';
  const reasons = [
    facts.designatedPovertyCounty
      ? `Held: the supplier's ${county} is a designated poverty county.`
      : `Failed: the supplier's ${county} is not a designated poverty county.`,
    facts.beneficiaryHouseholds > 0
      ? `Held: the supplier has ${facts.beneficiaryHouseholds} beneficiary households.`
      : 'Failed: the supplier has no beneficiary households.',
  ];
  return { eligible: facts.designatedPovertyCounty || facts.beneficiaryHouseholds > 0, reasons };
}
