// A campaign's batch runs dozens of deliveries at once: their ledger reads and writes go to
// PostgreSQL together (common/group-commit.ts), a few statements per group instead of
// several per message. A single send's calls still go out at once. A group of completions is
// one transaction with its events (the tracker's `change`).
import { createGroupCommit } from '../../common/group-commit.js';
import type { Db } from '../../schema/database.js';
import { claimDeliveries, completeDeliveries, findDeliveries, type Completion } from '../../schema/queries/deliveries.js';
import { applyEarlyReceipts } from '../../schema/queries/receipts.js';
import { findUsers } from '../../schema/queries/users.js';
import type { DeliveryRow } from '../../schema/tables/deliveries.js';
import type { UserRow } from '../../schema/tables/users.js';
import type { Tracker } from '../tracking/tracker.js';

const GROUP = { maxBatch: 200 };

export interface CompletionWrite {
  id: string;
  completion: Completion;
  /** The provider sends delivery receipts, so one may have beaten this write. */
  receipts: boolean;
}

function byId<R extends { id: string }>(ids: readonly string[], rows: readonly R[]): (R | undefined)[] {
  const m = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => m.get(id));
}

async function usersOf(db: Db, keys: readonly { tenantId: string; userId: string }[]): Promise<(UserRow | undefined)[]> {
  const found = new Map<string, UserRow>();
  for (const tenantId of new Set(keys.map((k) => k.tenantId))) {
    const rows = await findUsers(db, tenantId, [...new Set(keys.filter((k) => k.tenantId === tenantId).map((k) => k.userId))]);
    for (const u of rows) found.set(`${tenantId}\u0000${u.id}`, u);
  }
  return keys.map((k) => found.get(`${k.tenantId}\u0000${k.userId}`));
}

export function createLedgerGroups(db: Db, tracker: Pick<Tracker, 'change'>) {
  return {
    load: createGroupCommit<string, DeliveryRow | undefined>(async (ids) => byId(ids, await findDeliveries(db, ids)), GROUP),
    /** Claimed before the provider is called: undefined when another attempt got there first. */
    claim: createGroupCommit<string, DeliveryRow | undefined>(async (ids) => byId(ids, await claimDeliveries(db, ids)), GROUP),
    complete: createGroupCommit<CompletionWrite, void>(async (items) => {
      await tracker.change(
        items.map((i) => i.id),
        (tx) => completeDeliveries(tx, items),
      );
      // Receipts that came first were held; they apply now, in a transaction of their own:
      // a receipt arriving meanwhile must see the completion committed (receipts.ts tries
      // again after holding), or neither side would apply it.
      const early = items.filter((i) => i.receipts).map((i) => i.id);
      if (early.length > 0) await tracker.change(early, (tx) => applyEarlyReceipts(tx, early));
      return items.map(() => undefined);
    }, GROUP),
    user: createGroupCommit<{ tenantId: string; userId: string }, UserRow | undefined>((keys) => usersOf(db, keys), GROUP),
  };
}

export type LedgerGroups = ReturnType<typeof createLedgerGroups>;
