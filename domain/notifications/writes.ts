// The accept path's writes, gathered across concurrent requests. A statement costs the API
// process a round trip to PostgreSQL, its largest cost under load (bench/README.md), so the
// requests that arrive together share one insert and one run-id + audit statement. A lone
// request still goes out at once (common/group-commit.ts).
import { createGroupCommit } from '../../common/group-commit.js';
import type { Db } from '../../schema/database.js';
import {
  findNotificationByIdempotencyKey,
  insertNotificationsSkippingTaken,
  setNotificationRunIds,
  type StartedRun,
} from '../../schema/queries/notifications.js';
import type { NewNotification, NotificationRow } from '../../schema/tables/notifications.js';

export interface NotificationWrites {
  /** The new row, or the existing one when its idempotency key was used before. */
  insert(n: NewNotification & { id: string }): Promise<{ row: NotificationRow; created: boolean }>;
  recordRun(run: StartedRun): Promise<void>;
}

const GROUP = { maxBatch: 100 };

type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Groups calls into one statement; when a grouped statement fails, its items run again one by
 * one, so a bad row fails its own request and not the others that happened to share the flush.
 */
function groupedWithIsolation<I, O>(together: (items: readonly I[]) => Promise<readonly O[]>): (item: I) => Promise<O> {
  const settle = async (items: readonly I[]): Promise<Settled<O>[]> => {
    try {
      return (await together(items)).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (items.length === 1) return [{ ok: false, error }];
      return (await Promise.all(items.map((item) => settle([item])))).flat();
    }
  };
  const group = createGroupCommit(settle, GROUP);
  return async (item) => {
    const settled = await group(item);
    if (!settled.ok) throw settled.error;
    return settled.value;
  };
}

function createWrites(db: Db): NotificationWrites {
  const insertRow = groupedWithIsolation<NewNotification & { id: string }, NotificationRow | undefined>(async (rows) => {
    const inserted = await insertNotificationsSkippingTaken(db, rows);
    return rows.map((r) => inserted.get(r.id));
  });
  const recordRuns = groupedWithIsolation<StartedRun, void>(async (runs) => {
    await setNotificationRunIds(db, runs);
    return runs.map(() => undefined);
  });

  return {
    async insert(n) {
      const row = await insertRow(n);
      if (row) return { row, created: true };
      // Skipped: the idempotency key belongs to an earlier notification.
      const existing = await findNotificationByIdempotencyKey(db, n.tenant_id, n.idempotency_key ?? '');
      if (!existing) throw new Error('idempotency conflict without an existing row');
      return { row: existing, created: false };
    },
    recordRun: recordRuns,
  };
}

const writesByDb = new WeakMap<Db, NotificationWrites>();

/** One set of grouped writers per connection pool. */
export function notificationWrites(db: Db): NotificationWrites {
  let writes = writesByDb.get(db);
  if (!writes) {
    writes = createWrites(db);
    writesByDb.set(db, writes);
  }
  return writes;
}
