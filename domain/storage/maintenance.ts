// One pass of storage maintenance over the ledger, the log and the events (see
// docs/operations.md): create the coming months' partitions, drop the months past every
// tenant's retention, delete what is past a tenant's own retention in bounded batches, mark
// the notifications whose rows are gone as purged, and delete the ephemeral inline
// recipients whose time is over (bounded batches too).
import type { Db } from '../../schema/database.js';
import {
  PARTITIONED_TABLES,
  countDefaultPartitionRows,
  createMonthPartition,
  deleteTenantRowsBefore,
  dropMonthPartition,
  listMonthPartitions,
  listTenantRetention,
  markNotificationsPurged,
  withStorageLock,
  type PartitionedTable,
} from '../../schema/queries/storage.js';
import { deleteExpiredEphemeralUsers } from '../../schema/queries/ephemeral-recipients.js';
import { deleteTenantWebhookDeliveriesBefore } from '../../schema/queries/webhooks.js';
import { RETENTION_DEFAULT_DAYS, monthStart, monthWhollyBefore, retentionHorizon } from './retention.js';

export interface MaintenanceOptions {
  now: Date;
  /** Month partitions kept ready beyond the current month. */
  monthsAhead: number;
  /** Rows per delete statement. */
  batchSize: number;
  /** Delete statements per table and tenant in one pass; the next pass carries on. */
  maxBatches: number;
}

export interface MaintenanceResult {
  /** False when another process was running a pass (nothing was done here). */
  ran: boolean;
  created: string[];
  /** Rows moved out of a default partition into a partition created now. */
  movedFromDefault: number;
  dropped: string[];
  deleted: Record<PartitionedTable, number>;
  purgedNotifications: number;
  /** Rows each default partition holds after the pass: non-zero means a month had no partition when written. */
  defaultRows: Record<PartitionedTable, number>;
  /** Ephemeral inline recipients deleted past their time (domain/recipients/ephemeral.ts). */
  ephemeralUsersDeleted: number;
  /** Webhook deliveries (with their attempts) of events past their tenant's retention. */
  webhookDeliveriesDeleted: number;
  /** True when a tenant had more to delete than one pass's batches. */
  more: boolean;
}

const TABLES = Object.keys(PARTITIONED_TABLES) as PartitionedTable[];
const zero = (): Record<PartitionedTable, number> => ({ deliveries: 0, delivery_log: 0, delivery_events: 0 });

export async function maintainStorage(deps: { db: Db }, o: MaintenanceOptions): Promise<MaintenanceResult> {
  const done = await withStorageLock(deps.db, (db) => pass(db, o));
  return done ?? { ran: false, created: [], movedFromDefault: 0, dropped: [], deleted: zero(), purgedNotifications: 0, defaultRows: zero(), ephemeralUsersDeleted: 0, webhookDeliveriesDeleted: 0, more: false };
}

async function pass(db: Db, o: MaintenanceOptions): Promise<MaintenanceResult> {
  const r: MaintenanceResult = { ran: true, created: [], movedFromDefault: 0, dropped: [], deleted: zero(), purgedNotifications: 0, defaultRows: zero(), ephemeralUsersDeleted: 0, webhookDeliveriesDeleted: 0, more: false };

  for (const table of TABLES) {
    for (let i = 0; i <= o.monthsAhead; i++) {
      const month = monthStart(o.now, i);
      const moved = await createMonthPartition(db, table, month);
      if (moved !== null) {
        r.created.push(`${table}_p${month.toISOString().slice(0, 7).replace('-', '')}`);
        r.movedFromDefault += moved;
      }
    }
  }

  const tenants = await listTenantRetention(db);
  // With no tenant yet, the default retention stands for the ones to come.
  const longest = Math.max(RETENTION_DEFAULT_DAYS, ...tenants.map((t) => t.retention_days));
  const dropBefore = retentionHorizon(o.now, longest);
  for (const table of TABLES) {
    for (const p of await listMonthPartitions(db, table)) {
      if (!monthWhollyBefore(p.month, dropBefore)) continue;
      await dropMonthPartition(db, table, p);
      r.dropped.push(p.name);
    }
  }

  for (const t of tenants) {
    const before = retentionHorizon(o.now, t.retention_days);
    let left = false;
    for (const table of TABLES) {
      for (let b = 0; ; b++) {
        if (b === o.maxBatches) {
          left = true;
          break;
        }
        const n = await deleteTenantRowsBefore(db, table, t.id, before, o.batchSize);
        r.deleted[table] += n;
        if (n < o.batchSize) break;
      }
    }
    // The events' webhook deliveries and their attempt log, by the event's time.
    for (let b = 0; ; b++) {
      if (b === o.maxBatches) {
        left = true;
        break;
      }
      const n = await deleteTenantWebhookDeliveriesBefore(db, t.id, before, o.batchSize);
      r.webhookDeliveriesDeleted += n;
      if (n < o.batchSize) break;
    }
    // Only once the tenant's rows before the horizon are all gone (partition drops included).
    if (left) {
      r.more = true;
      continue;
    }
    for (let n = o.batchSize; n === o.batchSize; ) {
      n = await markNotificationsPurged(db, t.id, before, o.now, o.batchSize);
      r.purgedNotifications += n;
    }
  }

  for (let b = 0, n = o.batchSize; n === o.batchSize; b++) {
    if (b === o.maxBatches) {
      r.more = true;
      break;
    }
    n = await deleteExpiredEphemeralUsers(db, o.now, o.batchSize);
    r.ephemeralUsersDeleted += n;
  }

  for (const table of TABLES) r.defaultRows[table] = await countDefaultPartitionRows(db, table);
  return r;
}
