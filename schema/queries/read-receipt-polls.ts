// Sent messages whose provider reports read state only when asked: which are due to be asked,
// claimed so that one worker asks at a time, and what the answer leaves for next time.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';

export interface DuePoll {
  id: string;
  tenant_id: string;
  provider: string;
  provider_message_id: string;
  address: string | null;
  config_sealed: string;
  polls: number;
}

export interface DueOptions {
  /** The provider kind asked (its config opens with the provider's row). */
  kind: string;
  now: Date;
  /** Messages sent before this are no longer asked about. */
  sentAfter: Date;
  /** A message is first asked about this long after it was sent. */
  firstDelayMs: number;
  maxPolls: number;
  /** A claimed row is left alone this long (a worker that died mid-poll gives it back then). */
  leaseMs: number;
  limit: number;
}

/** Claims the due messages: their next poll moves to now + lease, so another pass skips them. */
export async function claimDuePolls(db: DbOrTx, o: DueOptions): Promise<DuePoll[]> {
  const firstBefore = new Date(o.now.getTime() - o.firstDelayMs);
  const candidates = await db
    .selectFrom('deliveries as d')
    .innerJoin('providers as p', (j) => j.onRef('p.tenant_id', '=', 'd.tenant_id').onRef('p.id', '=', 'd.provider'))
    .leftJoin('read_receipt_polls as r', 'r.delivery_id', 'd.id')
    .select(['d.id', 'd.tenant_id', 'd.provider', 'd.provider_message_id', 'd.address', 'p.config_sealed', 'r.polls'])
    .where('p.kind', '=', o.kind)
    .where('d.status', 'in', ['sent', 'delivered'])
    .where('d.provider_message_id', 'is not', null)
    .where('d.sent_at', '>', o.sentAfter)
    .where((w) =>
      w.or([
        w.and([w('r.delivery_id', 'is', null), w('d.sent_at', '<=', firstBefore)]),
        w.and([w('r.finished_at', 'is', null), w('r.next_poll_at', '<=', o.now), w('r.polls', '<', o.maxPolls)]),
      ]),
    )
    .orderBy('d.sent_at')
    .limit(o.limit)
    .execute();
  if (candidates.length === 0) return [];
  const lease = new Date(o.now.getTime() + o.leaseMs);
  const claimed = await db
    .insertInto('read_receipt_polls')
    .values(candidates.map((c) => ({ delivery_id: c.id, tenant_id: c.tenant_id, polls: 0, next_poll_at: lease })))
    .onConflict((oc) =>
      oc
        .column('delivery_id')
        .doUpdateSet({ next_poll_at: (eb) => eb.ref('excluded.next_poll_at') })
        .where('read_receipt_polls.next_poll_at', '<=', o.now)
        .where('read_receipt_polls.finished_at', 'is', null),
    )
    .returning('delivery_id')
    .execute();
  const ids = new Set(claimed.map((c) => c.delivery_id));
  return candidates.filter((c) => ids.has(c.id)).map((c) => ({ ...c, provider: c.provider as string, provider_message_id: c.provider_message_id as string, polls: c.polls ?? 0 }));
}

/** One poll done: final (read or failed), or asked again at `nextAt`. */
export async function recordPoll(db: DbOrTx, deliveryId: string, next: { finished: true } | { finished: false; nextAt: Date }): Promise<void> {
  await db
    .updateTable('read_receipt_polls')
    .set({
      polls: sql<number>`polls + 1`,
      ...(next.finished ? { finished_at: new Date() } : { next_poll_at: next.nextAt }),
    })
    .where('delivery_id', '=', deliveryId)
    .execute();
}

/** Rows of messages past the polling window: nothing asks about them any more. */
export async function deletePollsBefore(db: DbOrTx, before: Date, limit: number): Promise<number> {
  const r = await db
    .deleteFrom('read_receipt_polls')
    .where('delivery_id', 'in', (q) => q.selectFrom('read_receipt_polls').select('delivery_id').where('created_at', '<', before).limit(limit))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
