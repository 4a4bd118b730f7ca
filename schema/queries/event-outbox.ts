// The event outbox: written in the transaction of a change, claimed by relays with
// FOR UPDATE SKIP LOCKED (so several relays never ship the same row at once), marked done in
// the claim's transaction by each consumer (the analytics store: `shipped_at`; the webhook
// fan-out: `fanned_out_at`), pruned once both are done.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { EventOutboxRow, NewOutboxEvent } from '../tables/event-outbox.js';

/** Adds events; an event id already in the outbox is left as it is. */
export async function insertOutboxEvents(db: DbOrTx, rows: NewOutboxEvent[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('event_outbox')
    .values(rows)
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}

/** Which consumer's mark a claim looks at. */
export type OutboxConsumer = 'shipped_at' | 'fanned_out_at';

/**
 * The oldest rows this consumer has not done, locked until the caller's transaction ends;
 * rows another relay holds are skipped. Call inside a transaction.
 */
export async function claimOutboxEvents(tx: DbOrTx, consumer: OutboxConsumer, limit: number): Promise<EventOutboxRow[]> {
  return tx.selectFrom('event_outbox').selectAll().where(consumer, 'is', null).orderBy('seq').limit(limit).forUpdate().skipLocked().execute();
}

export async function markOutboxDone(tx: DbOrTx, consumer: OutboxConsumer, seqs: readonly string[]): Promise<void> {
  if (seqs.length === 0) return;
  await tx
    .updateTable('event_outbox')
    .set({ [consumer]: new Date() })
    .where('seq', 'in', seqs)
    .execute();
}

/** Deletes rows both consumers were done with before `before`, at most `limit` per call; returns how many went. */
export async function pruneShippedOutbox(db: DbOrTx, before: Date, limit: number): Promise<number> {
  const r = await sql<{ n: string }>`
    with gone as (
      delete from event_outbox where seq in (
        select seq from event_outbox
        where shipped_at is not null and shipped_at < ${before} and fanned_out_at is not null and fanned_out_at < ${before}
        order by shipped_at limit ${limit}
      ) returning 1
    ) select count(*)::text as n from gone`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Rows not shipped yet (for metrics and tests). */
/** Rows not shipped yet; with `topicPrefix` (e.g. `delivery.`), only those topics. */
export async function countUnshippedOutbox(db: DbOrTx, topicPrefix?: string): Promise<number> {
  let q = db.selectFrom('event_outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('shipped_at', 'is', null);
  if (topicPrefix !== undefined) q = q.where('topic', 'like', `${topicPrefix.replace(/[\\%_]/g, '\\$&')}%`);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}
