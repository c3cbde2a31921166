// Stored supplier keys follow the current name rule after a start: a supplier
// stored under an older spelling of its key is renamed, and two stored
// suppliers that the new rule makes one producer become a suggestion for
// staff instead of a silent merge.
import { openSuppliersStore } from '../subgraphs/suppliers/store';
import { renormalizeSupplierNames } from '../subgraphs/suppliers/supplierRenaming';
import type { Store } from '../common/database';
import type { SuppliersDb } from '../subgraphs/suppliers/store';

const SHIZONG = '530323';

describe('renormalizeSupplierNames', () => {
  let store: Store<SuppliersDb>;

  beforeAll(async () => {
    store = await openSuppliersStore({ kind: 'memory' });
  });
  afterAll(async () => {
    await store.close();
  });

  it('renames keys stored under an older rule and suggests the suppliers it makes one', async () => {
    const db = store.client;
    await db.supplier.createMany({
      data: [
        // Stored before 乡 was read as part of the township: the key kept it.
        { id: 'sup_old', name: '师宗县五龙乡野生菌合作社', normalizedName: '五龙乡野生菌', kind: 'COOPERATIVE', regionCode: SHIZONG },
        // Two spellings of one workshop, stored apart under the old rule.
        { id: 'sup_a', name: '师宗县竹园乡村振兴帮扶车间', normalizedName: '竹园乡村振兴帮扶车间', kind: 'RELIEF_WORKSHOP', regionCode: SHIZONG },
        { id: 'sup_b', name: '师宗县竹园扶贫车间', normalizedName: '竹园帮扶车间', kind: 'RELIEF_WORKSHOP', regionCode: SHIZONG },
      ],
    });

    expect(await renormalizeSupplierNames(db)).toEqual({ renamed: 1, collisions: 1 });
    expect((await db.supplier.findUniqueOrThrow({ where: { id: 'sup_old' } })).normalizedName).toBe('五龙野生菌');
    // The colliding one keeps its key and waits for staff beside the other.
    expect((await db.supplier.findUniqueOrThrow({ where: { id: 'sup_a' } })).normalizedName).toBe('竹园乡村振兴帮扶车间');
    const suggestions = await db.supplierSuggestion.findMany({ where: { OR: [{ supplierId: 'sup_a' }, { similarId: 'sup_a' }] } });
    expect(suggestions.map((s) => [s.supplierId, s.similarId, Number(s.score)])).toEqual([['sup_a', 'sup_b', 1]]);

    // A second start changes nothing.
    expect(await renormalizeSupplierNames(db)).toEqual({ renamed: 0, collisions: 1 });
    expect(await db.supplierSuggestion.count({ where: { supplierId: 'sup_a' } })).toBe(1);
  });
});
