// A worker-side periodic job, like the runless sweeper: every `intervalSeconds`, one pass of
// storage maintenance (domain/storage/maintenance.ts). Every worker process runs the timer;
// an advisory lock lets one pass run at a time across them. A pass is never run twice at
// once in one process, and the first runs at start, so a worker that was off for months
// creates the partitions it missed before the workers write into them.
import type { Logger } from '../common/logger.js';
import { maintainStorage, type MaintenanceResult } from '../domain/storage/maintenance.js';
import type { Db } from '../schema/database.js';

export interface StorageMaintenanceOptions {
  db: Db;
  logger: Logger;
  /** Seconds between passes; 0 turns the job off. */
  intervalSeconds: number;
  monthsAhead: number;
  batchSize: number;
  maxBatches: number;
}

export interface StorageMaintenance {
  /** One pass now (also what the timer runs); `now` moves the clock, for tests. */
  run(now?: Date): Promise<MaintenanceResult>;
  stop(): Promise<void>;
}

export function startStorageMaintenance(o: StorageMaintenanceOptions): StorageMaintenance {
  let running: Promise<MaintenanceResult> | undefined;
  const run = (now = new Date()) =>
    (running ??= maintainStorage({ db: o.db }, { now, monthsAhead: o.monthsAhead, batchSize: o.batchSize, maxBatches: o.maxBatches }).finally(() => {
      running = undefined;
    }));
  const report = (r: MaintenanceResult) => {
    if (!r.ran) return;
    const held = Object.entries(r.defaultRows).filter(([, n]) => n > 0);
    // Rows in a default partition mean a month had no partition when they were written.
    if (held.length > 0 || r.movedFromDefault > 0) o.logger.warn({ defaultRows: Object.fromEntries(held), movedFromDefault: r.movedFromDefault }, 'rows written without a month partition');
    if (r.created.length + r.dropped.length + r.purgedNotifications + r.ephemeralUsersDeleted + r.webhookDeliveriesDeleted > 0 || Object.values(r.deleted).some((n) => n > 0))
      o.logger.info({ created: r.created, dropped: r.dropped, deleted: r.deleted, purgedNotifications: r.purgedNotifications, ephemeralUsersDeleted: r.ephemeralUsersDeleted, webhookDeliveriesDeleted: r.webhookDeliveriesDeleted, more: r.more }, 'storage maintenance');
  };
  const tick = () => void run().then(report, (err: unknown) => o.logger.warn({ err }, 'storage maintenance failed; the next pass retries'));
  const timer = o.intervalSeconds > 0 ? setInterval(tick, o.intervalSeconds * 1000) : undefined;
  timer?.unref();
  if (timer) tick();
  return {
    run,
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
