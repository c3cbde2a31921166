import type { SubgraphClient } from '../../../common/subgraphClient';
// The operation is operations/suppliers.graphql.
import { ResolveSuppliersDocument } from '../generated/suppliersOperations';

/** A supplier named in a listing, as the suppliers subgraph resolved it. */
export interface SupplierFacts {
  id: string;
  regionCode: string;
}

export interface SupplierProblem {
  problemField: string;
  problem: string;
}

export interface SupplierName {
  supplierName: string;
  supplierRegionCode: string;
}

/**
 * The suppliers named in listings, resolved through the suppliers subgraph's
 * API and remembered for the life of the process: a supplier is never deleted
 * or re-keyed, so (county, name as written) names the same supplier id
 * forever, and a feed that names the same few hundred producers in every
 * batch asks the suppliers subgraph once per producer, not once per batch.
 * Problems (an unknown county) are not remembered. The table is bounded and
 * simply emptied when full.
 */
export class SupplierDirectory {
  private readonly known = new Map<string, SupplierFacts>();

  constructor(private readonly capacity = 200_000) {}

  get size(): number {
    return this.known.size;
  }

  static keyOf(name: SupplierName): string {
    return `${name.supplierRegionCode}|${name.supplierName}`;
  }

  /** Resolves every distinct (county, name) of `names`, keyed by `SupplierDirectory.keyOf`. */
  async resolve(client: SubgraphClient, names: readonly SupplierName[]): Promise<Map<string, SupplierFacts | SupplierProblem>> {
    const resolved = new Map<string, SupplierFacts | SupplierProblem>();
    const unknown = new Map<string, SupplierName>();
    for (const name of names) {
      const key = SupplierDirectory.keyOf(name);
      const facts = this.known.get(key);
      if (facts) resolved.set(key, facts);
      else unknown.set(key, name);
    }
    if (unknown.size === 0) return resolved;
    const asked = [...unknown.values()];
    const { resolveSuppliers } = await client.request(ResolveSuppliersDocument, {
      suppliers: asked.map((name) => ({ name: name.supplierName, regionCode: name.supplierRegionCode })),
    });
    if (this.known.size + asked.length > this.capacity) this.known.clear();
    asked.forEach((name, index) => {
      const key = SupplierDirectory.keyOf(name);
      const answer = resolveSuppliers[index];
      if (answer.supplier) {
        // The suppliers subgraph finds or creates the supplier in the county it was named with.
        const facts = { id: answer.supplier.id, regionCode: name.supplierRegionCode };
        this.known.set(key, facts);
        resolved.set(key, facts);
      } else {
        resolved.set(key, { problemField: answer.problemField ?? 'supplier_name', problem: answer.problem ?? 'cannot be resolved' });
      }
    });
    return resolved;
  }
}
