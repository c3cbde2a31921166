// The catalog side of the engine without a database: the evaluation script
// and the order tests import feeds into it exactly as listingImport.ts does
// into the products store (same component, same plan), so a regression in the
// engine shows in both.
import { blockingKey, canonicalGtin } from './listingMatching';
import { planImport, NEW_PRODUCT_PREFIX, type ClusterInput, type ClusterOptions, type ImportPlan } from './catalogClustering';

/** The block and GTIN keys that select an import's component. */
export function componentKeys(fresh: readonly ClusterInput[]): { blocks: Set<string>; gtins: Set<string> } {
  return {
    blocks: new Set(fresh.map((row) => blockingKey({ supplierKey: row.supplierKey, title: row.title, unit: row.unit }))),
    gtins: new Set(fresh.map((row) => canonicalGtin(row.gtin)).filter((gtin): gtin is string => gtin !== null)),
  };
}

function index(table: Map<string, Set<string>>, value: string, key: string): void {
  const keys = table.get(value);
  if (keys) keys.add(key);
  else table.set(value, new Set([key]));
}

export class MemoryCatalog {
  private readonly listings = new Map<string, ClusterInput>();
  // Listing keys by block, by GTIN-14 and by product: the same selection the store makes with its indexes.
  private readonly byBlock = new Map<string, Set<string>>();
  private readonly byGtin = new Map<string, Set<string>>();
  private readonly byProduct = new Map<string, Set<string>>();
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
    const selected = [...blocks].flatMap((block) => [...(this.byBlock.get(block) ?? [])]);
    for (const gtin of gtins) selected.push(...(this.byGtin.get(gtin) ?? []));
    const products = new Set(selected.map((key) => this.listings.get(key)!.productId!));
    const component = [...products].flatMap((productId) => [...this.byProduct.get(productId)!].map((key) => this.listings.get(key)!));
    const plan = planImport([...component, ...fresh], this.options);
    const freshByKey = new Map(fresh.map((row) => [row.key, row]));
    const ids = new Map<string, string>();
    for (const label of plan.newProducts.keys()) ids.set(label, `P${String(++this.created).padStart(5, '0')}`);
    for (const [key, target] of plan.productOf) {
      const productId = target.startsWith(NEW_PRODUCT_PREFIX) ? ids.get(target)! : target;
      const known = this.listings.get(key);
      const listing = known ?? freshByKey.get(key)!;
      if (known) this.byProduct.get(known.productId!)!.delete(key);
      else {
        index(this.byBlock, blockingKey(listing), key);
        const gtin = canonicalGtin(listing.gtin);
        if (gtin !== null) index(this.byGtin, gtin, key);
      }
      index(this.byProduct, productId, key);
      this.listings.set(key, { ...listing, productId });
    }
    return plan;
  }
}
