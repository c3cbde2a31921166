// The catalog side of the engine without a database: the evaluation script
// and the order tests import feeds into it exactly as listingImport.ts does
// into the products store (same component, same plan), so a regression in the
// engine shows in both.
import { canonicalGtin } from '../listingMatching';
import { blockingKey } from '../listingMatching';
import { planImport, NEW_PRODUCT_PREFIX, type ClusterInput, type ClusterOptions, type ImportPlan } from './catalogClustering';

/** The block and GTIN keys that select an import's component. */
export function componentKeys(fresh: readonly ClusterInput[]): { blocks: Set<string>; gtins: Set<string> } {
  return {
    blocks: new Set(fresh.map((row) => blockingKey({ supplierKey: row.supplierKey, title: row.title, unit: row.unit }))),
    gtins: new Set(fresh.map((row) => canonicalGtin(row.gtin)).filter((gtin): gtin is string => gtin !== null)),
  };
}

export class MemoryCatalog {
  private readonly listings = new Map<string, ClusterInput>();
  private created = 0;

  constructor(private readonly options: ClusterOptions = {}) {}

  /** Listing key → product id. */
  assignment(): Map<string, string> {
    return new Map([...this.listings].map(([key, listing]) => [key, listing.productId!]));
  }

  /** Imports new listings (known keys are skipped, as an unchanged re-import). */
  import(rows: readonly Omit<ClusterInput, 'productId'>[]): ImportPlan | null {
    const fresh = rows.filter((row) => !this.listings.has(row.key)).map((row) => ({ ...row, productId: null }));
    if (fresh.length === 0) return null;
    const { blocks, gtins } = componentKeys(fresh);
    const selected = [...this.listings.values()].filter((listing) => {
      const gtin = canonicalGtin(listing.gtin);
      return blocks.has(blockingKey(listing)) || (gtin !== null && gtins.has(gtin));
    });
    const products = new Set(selected.map((listing) => listing.productId));
    const component = [...this.listings.values()].filter((listing) => products.has(listing.productId));
    const plan = planImport([...component, ...fresh], this.options);
    const ids = new Map<string, string>();
    for (const label of plan.newProducts.keys()) ids.set(label, `P${String(++this.created).padStart(5, '0')}`);
    for (const [key, target] of plan.productOf) {
      const productId = target.startsWith(NEW_PRODUCT_PREFIX) ? ids.get(target)! : target;
      const listing = this.listings.get(key) ?? fresh.find((row) => row.key === key)!;
      this.listings.set(key, { ...listing, productId });
    }
    return plan;
  }
}
