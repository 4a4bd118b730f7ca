// The outbox relay: ships events from the outbox to the analytics store (and, through
// `fanOut`, to webhook endpoints), at least once. A pass claims a batch with FOR UPDATE SKIP
// LOCKED, writes it, and marks it shipped in the claim's transaction: a relay that dies
// mid-pass leaves the rows to the next pass, and the store drops the event ids it already
// has, so nothing is lost and nothing counted twice. Several relays (one per worker) share
// the outbox without a leader.
import type { DeliveryEvent } from '../../analytics/events.js';
import type { AnalyticsStore } from '../../analytics/store.js';
import type { Logger } from '../../common/logger.js';
import type { Db, DbOrTx } from '../../schema/database.js';
import { claimOutboxEvents, markOutboxDone, pruneShippedOutbox } from '../../schema/queries/event-outbox.js';
import type { EventOutboxRow } from '../../schema/tables/event-outbox.js';
import { deliveryEventOf } from './outbox.js';

export interface RelayDeps {
  db: Db;
  analytics: AnalyticsStore;
  logger: Logger;
  /**
   * The webhook fan-out: a consumer with a mark of its own (`fanned_out_at`), so a store
   * that is down does not hold webhooks back.
   */
  fanOut: (tx: DbOrTx, rows: readonly EventOutboxRow[]) => Promise<void>;
}

export interface RelayPass {
  /** Outbox rows shipped by this pass. */
  shipped: number;
  /** Delivery events the analytics store did not have yet. */
  written: number;
  /** Events the store refused for their content: logged, never retried. */
  refused: number;
}

/**
 * Writes the events; a batch the store refuses for its content is halved until the refused
 * events stand alone, so one bad event costs only itself. Any other error is thrown (the
 * claim rolls back and the rows wait for the next pass).
 */
async function writeAnalytics(deps: RelayDeps, events: readonly DeliveryEvent[]): Promise<{ written: number; refused: number }> {
  if (events.length === 0) return { written: 0, refused: 0 };
  try {
    const r = await deps.analytics.write(events);
    for (const i of r.invalid) deps.logger.error({ eventId: i.eventId, reason: i.reason }, 'invalid analytics event not written');
    return { written: r.written, refused: r.invalid.length };
  } catch (err) {
    if (!deps.analytics.isPermanent(err)) throw err;
    if (events.length === 1) {
      deps.logger.error({ err, eventId: events[0]?.eventId }, 'analytics event refused by the store; not written');
      return { written: 0, refused: 1 };
    }
    const mid = events.length >> 1;
    const a = await writeAnalytics(deps, events.slice(0, mid));
    const b = await writeAnalytics(deps, events.slice(mid));
    return { written: a.written + b.written, refused: a.refused + b.refused };
  }
}

/** One batch of at most `limit` rows to the analytics store, oldest first. */
export async function relayOnce(deps: RelayDeps, limit: number): Promise<RelayPass> {
  return deps.db.transaction().execute(async (tx) => {
    const rows = await claimOutboxEvents(tx, 'shipped_at', limit);
    if (rows.length === 0) return { shipped: 0, written: 0, refused: 0 };
    const events = rows.map(deliveryEventOf).filter((e): e is DeliveryEvent => e !== undefined);
    const { written, refused } = await writeAnalytics(deps, events);
    await markOutboxDone(
      tx,
      'shipped_at',
      rows.map((r) => r.seq),
    );
    return { shipped: rows.length, written, refused };
  });
}

/** One batch of at most `limit` rows fanned out to webhook endpoints; how many rows. */
export async function fanOutOnce(deps: RelayDeps, limit: number): Promise<number> {
  return deps.db.transaction().execute(async (tx) => {
    const rows = await claimOutboxEvents(tx, 'fanned_out_at', limit);
    await deps.fanOut(tx, rows);
    await markOutboxDone(
      tx,
      'fanned_out_at',
      rows.map((r) => r.seq),
    );
    return rows.length;
  });
}

/** Shipped rows older than `keepMs` are deleted, a bounded number per call. */
export function pruneOutbox(db: Db, keepMs: number, limit = 10_000): Promise<number> {
  return pruneShippedOutbox(db, new Date(Date.now() - keepMs), limit);
}
