// The tracker: every state change of a delivery becomes a row of the notification's
// activity log and a DeliveryEvent in the event outbox, both in one PostgreSQL transaction
// (with `change`, the transaction of the ledger write itself); the outbox relay ships the
// events to the analytics store and to webhook endpoints (domain/events/relay.ts), so a
// delivery never waits on either. Events are derived from the ledger row as it is after the
// change, with ids made of delivery id + transition (+ attempt / link), so recording the
// same change twice — a retried activity, a heal after a crash — adds nothing to the log
// and nothing to the outbox.
import type { DeliveryEvent, DeliveryEventType } from '../../analytics/events.js';
import { createGroupCommit } from '../../common/group-commit.js';
import { linkId } from '../links/tracking-links.js';
import type { Logger } from '../../common/logger.js';
import { recordDelivery, type HeraldMetrics } from '../../common/metrics.js';
import type { Priority } from '../../common/priorities.js';
import type { Channel } from '../../channels/types.js';
import { inTransaction, type DbOrTx } from '../../schema/database.js';
import { findTrackedDelivery, insertLogEntries, tenantTracksEmail, trackedDeliveriesByIds, trackedDeliveriesPage, type TrackedDelivery } from '../../schema/queries/delivery-log.js';
import { insertOutboxEvents } from '../../schema/queries/event-outbox.js';
import { deliveryOutboxRow } from '../events/outbox.js';
import { notificationOutboxRow } from '../events/notification-events.js';
import type { NewDeliveryLogEntry } from '../../schema/tables/delivery-log.js';
import type { TemplateContent } from '../../schema/tables/templates.js';

export interface TrackerDeps {
  db: DbOrTx;
  logger: Logger;
  /** Counts each state change the first time it is logged (herald_deliveries_total). */
  metrics?: HeraldMetrics | undefined;
}

/** The state changes herald_deliveries_total counts. */
const COUNTED_STATUSES: ReadonlySet<string> = new Set(['sent', 'delivered', 'failed', 'suppressed', 'expired', 'recalled']);

/** Log-only entries: they are not state changes analytics counts. */
export type LogOnlyEvent = 'attempt_failed' | 'finished' | 'delayed' | 'target_removed';

/** What a recipient did with a message: opened it, clicked a link or an action, read it (in the inbox, or a provider's read receipt). */
export type Engagement = { kind: 'opened' } | { kind: 'read'; source?: string | undefined } | { kind: 'clicked'; url: string } | { kind: 'action'; action: string; url?: string | undefined };

/** The event an engagement records: its de-duplication key and details. */
function engagementEntry(deliveryId: string, e: Engagement): Entry {
  const at = new Date();
  if (e.kind === 'opened') return { key: `${deliveryId}:opened`, type: 'opened', at };
  // Once per message, whoever reports it first (the inbox, a provider's read receipt).
  if (e.kind === 'read') return { key: `${deliveryId}:read`, type: 'read', at, ...(e.source ? { details: { source: e.source } } : {}) };
  if (e.kind === 'clicked') return { key: `${deliveryId}:clicked:${linkId(e.url)}`, type: 'clicked', at, details: { url: e.url } };
  return { key: `${deliveryId}:clicked:action:${e.action}`, type: 'clicked', at, details: { action: e.action, ...(e.url ? { url: e.url } : {}) } };
}

export interface Tracker {
  /**
   * A ledger change of these deliveries, and the events of the state they are in after it,
   * in one transaction: the one way a delivery changes state that cannot lose its events.
   */
  change<T>(deliveryIds: readonly string[] | ((result: T) => readonly string[]), write: (tx: DbOrTx) => Promise<T>): Promise<T>;
  /**
   * The same for a change to many rows of a notification (cancel, expiry, recall, out of
   * rounds): the events of its rows in these statuses, paged, in the write's transaction.
   */
  rowsChanged<T>(notificationId: string, statuses: readonly string[], write: (tx: DbOrTx) => Promise<T>): Promise<T>;
  /** After prepare: `queued` (and `deferred`) or `suppressed` with the policy's reason, per ledger row. */
  recordPrepared(notificationId: string): Promise<void>;
  /** The same for the rows of one page of a bulk send. */
  recordPreparedIds(deliveryIds: readonly string[]): Promise<void>;
  /** After a ledger change of one delivery: the events of the state the row is in now. */
  deliveryChanged(deliveryId: string): Promise<void>;
  /** After a transient failure of one attempt (the row stays claimable): the reason, on the timeline. */
  attemptFailed(deliveryId: string): Promise<void>;
  /**
   * A change that reads messages (inbox read, read-all, an action pressed): `write` returns the
   * deliveries it read, and their `read` events go into its transaction. Once per delivery.
   */
  messagesRead<T>(write: (tx: DbOrTx) => Promise<{ result: T; deliveryIds: readonly string[] }>): Promise<T>;
  /** The notification's outcome, on its timeline, and its `notification.completed` event in the same transaction. */
  notificationFinished(tenantId: string, notificationId: string, status: string, reason: string | null, counts: object): Promise<void>;
  /**
   * A delivery status notification that changes nothing (Action: delayed, or a 4.x.x): on the
   * timeline only. `key` identifies the report, so the same DSN delivered twice is one entry.
   */
  deliveryNotice(deliveryId: string, n: { key: string; reason: string; errorCode: string | null; details: Record<string, unknown> }): Promise<boolean>;
  /**
   * Push targets (device tokens, web push subscriptions) the provider called gone, removed from
   * the user's profile: a `target_removed` entry on the timeline, once per set of targets.
   */
  targetsRemoved(deliveryId: string, n: { key: string; provider: string | null; count: number }): Promise<void>;
  /**
   * An open, a click or an in-app action pressed (a `clicked` event with `details.action`);
   * false when the delivery is unknown. Recorded once per message (per link or action for clicks).
   */
  engagement(deliveryId: string, e: Engagement): Promise<boolean>;
  /** Whether this message gets the open pixel and tracked links (tenant setting, then template). */
  emailTracking(tenantId: string, content: TemplateContent): Promise<boolean>;
}

interface Entry {
  key: string;
  type: DeliveryEventType | LogOnlyEvent;
  at: Date;
  reason?: string | null;
  errorCode?: string | null;
  attempt?: number | null;
  details?: Record<string, unknown> | null;
  createdToSentMs?: number | null;
  sentToDeliveredMs?: number | null;
}

const PAGE = 1000;
const ms = (a: Date | null, b: Date | null) => (a && b ? a.getTime() - b.getTime() : null);

/** The events a ledger row's current state stands for. Timestamps come from the ledger, so a re-record is identical. */
function stateEntries(d: TrackedDelivery): Entry[] {
  const out: Entry[] = [];
  const k = (t: string) => `${d.id}:${t}`;
  // A row past `sent` was sent first: recording `sent` again here heals a crash between the
  // ledger write and the tracker (the key makes it a no-op otherwise).
  if (d.sent_at) {
    const createdToSentMs = ms(d.sent_at, d.notification_created_at);
    // Transit times go on the timeline too: the message's own "how long did it take".
    out.push({ key: k('sent'), type: 'sent', at: d.sent_at, attempt: d.attempts, createdToSentMs, details: { createdToSentMs } });
  }
  switch (d.status) {
    case 'delivered': {
      const sentToDeliveredMs = ms(d.delivered_at, d.sent_at);
      out.push({ key: k('delivered'), type: 'delivered', at: d.delivered_at ?? d.updated_at, sentToDeliveredMs, details: { sentToDeliveredMs } });
      break;
    }
    case 'failed':
      out.push({ key: k('failed'), type: 'failed', at: d.failed_at ?? d.updated_at, attempt: d.attempts, reason: d.reason, errorCode: d.error_code });
      break;
    case 'bounced':
      out.push({ key: k('bounced'), type: 'bounced', at: d.failed_at ?? d.updated_at, reason: d.reason, errorCode: d.error_code });
      break;
    case 'complained':
      out.push({ key: k('complained'), type: 'complained', at: d.updated_at, reason: d.reason });
      break;
    case 'suppressed':
      out.push({ key: k('suppressed'), type: 'suppressed', at: d.updated_at, reason: d.reason });
      break;
    case 'expired':
      out.push({ key: k('expired'), type: 'expired', at: d.updated_at, reason: d.reason });
      break;
    case 'recalled':
      out.push({ key: k('recalled'), type: 'recalled', at: d.updated_at, reason: d.reason });
      break;
  }
  return out;
}

/** What prepare decided for a row: a row suppressed at once never was queued. */
function preparedEntries(d: TrackedDelivery): Entry[] {
  if (d.status === 'suppressed') return [{ key: `${d.id}:suppressed`, type: 'suppressed', at: d.created_at, reason: d.reason }];
  const out: Entry[] = [{ key: `${d.id}:queued`, type: 'queued', at: d.created_at }];
  if (d.deferred_until) {
    out.push({ key: `${d.id}:deferred`, type: 'deferred', at: d.created_at, reason: d.reason, details: { until: d.deferred_until.toISOString() } });
  }
  return out;
}

/** A notification sent to exactly one module is attributed to it; anything else has no single module. */
function moduleOf(d: TrackedDelivery): string | null {
  const modules = d.audience.modules ?? [];
  return modules.length === 1 ? (modules[0] ?? null) : null;
}

export function createTracker(deps: TrackerDeps): Tracker {
  const log = deps.logger.child({ component: 'tracker' });

  function logRow(d: TrackedDelivery, e: Entry): NewDeliveryLogEntry {
    return {
      event_key: e.key,
      tenant_id: d.tenant_id,
      notification_id: d.notification_id,
      delivery_id: d.id,
      user_id: d.user_id,
      channel: d.channel,
      event: e.type,
      attempt: e.attempt ?? null,
      provider: d.provider,
      reason: e.reason ?? null,
      error_code: e.errorCode ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
      at: e.at,
    };
  }

  function event(d: TrackedDelivery, e: Entry & { type: DeliveryEventType }): DeliveryEvent {
    return {
      eventId: e.key,
      type: e.type,
      at: e.at,
      tenantId: d.tenant_id,
      notificationId: d.notification_id,
      deliveryId: d.id,
      userId: d.user_id,
      templateKey: d.template_key,
      templateVersion: d.template_version,
      channel: d.channel as Channel,
      provider: d.provider,
      priority: d.priority as Priority,
      category: d.category,
      module: moduleOf(d),
      createdToSentMs: e.createdToSentMs ?? null,
      sentToDeliveredMs: e.sentToDeliveredMs ?? null,
      errorCode: e.errorCode ?? null,
      errorReason: e.reason ?? null,
    };
  }

  /**
   * The log entries, and an outbox event for each state change logged for the first time,
   * in `tx`: the log's key is what keeps a re-recorded change out of the outbox.
   */
  async function writeIn(tx: DbOrTx, items: { d: TrackedDelivery; e: Entry }[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const written = await insertLogEntries(
      tx,
      items.map(({ d, e }) => logRow(d, e)),
    );
    const events: DeliveryEvent[] = [];
    for (const { d, e } of items) {
      if (e.type === 'attempt_failed' || e.type === 'finished' || e.type === 'delayed' || e.type === 'target_removed' || !written.has(e.key)) continue;
      events.push(event(d, e as Entry & { type: DeliveryEventType }));
    }
    await insertOutboxEvents(tx, events.map(deliveryOutboxRow));
    return written;
  }

  async function write(items: { d: TrackedDelivery; e: Entry }[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const written = await inTransaction(deps.db, (tx) => writeIn(tx, items));
    observe(items, written);
    return written;
  }

  const stateItems = (rows: TrackedDelivery[]) => rows.flatMap((d) => stateEntries(d).map((e) => ({ d, e })));

  /**
   * A metric and a log line per entry logged for the first time, so a re-record counts
   * nothing twice. Ids come from the row, not the log scope: a grouped write carries the
   * changes of several activities. A notification's workflow id is its id.
   */
  function observe(items: { d: TrackedDelivery; e: Entry }[], written: Set<string>): void {
    for (const { d, e } of items) {
      if (!written.has(e.key)) continue;
      if (COUNTED_STATUSES.has(e.type)) recordDelivery(deps.metrics, { status: e.type, channel: d.channel, provider: d.provider, priority: d.priority });
      // Ids and codes only: a provider's reason can quote the recipient's address.
      const line = { tenantId: d.tenant_id, notificationId: d.notification_id, workflowId: d.notification_id, deliveryId: d.id, channel: d.channel, provider: d.provider ?? undefined, event: e.type, errorCode: e.errorCode ?? undefined, attempt: e.attempt ?? undefined };
      if (e.type === 'failed') log.warn(line, 'delivery failed');
      else if (e.type === 'attempt_failed') log.info(line, 'delivery attempt failed; will retry');
      else log.debug(line, `delivery ${e.type}`);
    }
  }

  /** Page by page: a bulk notification's rows are never all in memory. */
  async function forRows(db: DbOrTx, notificationId: string, statuses: readonly string[] | undefined, each: (rows: TrackedDelivery[]) => Promise<unknown>): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const rows = await trackedDeliveriesPage(db, notificationId, { limit: PAGE, after, statuses });
      await each(rows);
      if (rows.length < PAGE) return;
      after = rows.at(-1)?.id;
    }
  }

  const tenantTracking = createGroupCommit<string, boolean>(async (tenantIds) => {
    const tracks = new Map<string, boolean>();
    for (const id of new Set(tenantIds)) tracks.set(id, await tenantTracksEmail(deps.db, id));
    return tenantIds.map((id) => tracks.get(id) ?? true);
  }, { maxBatch: 500 });

  // Deliveries of a campaign finish dozens at a time: their log rows are read and written
  // together (common/group-commit.ts); a lone change still goes out at once.
  const changed = createGroupCommit<string, void>(
    async (ids) => {
      await write(stateItems(await trackedDeliveriesByIds(deps.db, [...new Set(ids)])));
      return ids.map(() => undefined);
    },
    { maxBatch: 200 },
  );

  return {
    async change(deliveryIds, change) {
      const { result, items, written } = await inTransaction(deps.db, async (tx) => {
        const result = await change(tx);
        const ids = typeof deliveryIds === 'function' ? deliveryIds(result) : deliveryIds;
        const items = ids.length > 0 ? stateItems(await trackedDeliveriesByIds(tx, ids)) : [];
        return { result, items, written: await writeIn(tx, items) };
      });
      observe(items, written);
      return result;
    },

    async rowsChanged(notificationId, statuses, change) {
      // Observed after the commit, and only what is new: a rolled-back try counts nothing.
      const fresh: { items: { d: TrackedDelivery; e: Entry }[]; written: Set<string> }[] = [];
      const result = await inTransaction(deps.db, async (tx) => {
        const result = await change(tx);
        await forRows(tx, notificationId, statuses, async (rows) => {
          const items = stateItems(rows);
          const written = await writeIn(tx, items);
          if (written.size > 0) fresh.push({ items: items.filter((i) => written.has(i.e.key)), written });
        });
        return result;
      });
      for (const f of fresh) observe(f.items, f.written);
      return result;
    },

    recordPrepared: (notificationId) => forRows(deps.db, notificationId, undefined, (rows) => write(rows.flatMap((d) => preparedEntries(d).map((e) => ({ d, e }))))),

    async recordPreparedIds(deliveryIds) {
      const rows = await trackedDeliveriesByIds(deps.db, deliveryIds);
      await write(rows.flatMap((d) => preparedEntries(d).map((e) => ({ d, e }))));
    },

    deliveryChanged: (deliveryId) => changed(deliveryId),

    async attemptFailed(deliveryId) {
      const d = await findTrackedDelivery(deps.db, deliveryId);
      if (!d) return;
      await write([{ d, e: { key: `${d.id}:attempt:${d.attempts}`, type: 'attempt_failed', at: d.updated_at, attempt: d.attempts, reason: d.reason, errorCode: d.error_code } }]);
    },

    async notificationFinished(tenantId, notificationId, status, reason, counts) {
      await inTransaction(deps.db, async (tx) => {
        const key = `${notificationId}:finished`;
        const written = await insertLogEntries(tx, [
          {
            event_key: key,
            tenant_id: tenantId,
            notification_id: notificationId,
            delivery_id: null,
            user_id: null,
            channel: null,
            event: 'finished',
            attempt: null,
            provider: null,
            reason,
            error_code: null,
            details: JSON.stringify({ status, counts }),
          },
        ]);
        // The log's key keeps a re-recorded outcome out of the outbox, as for delivery events.
        if (written.has(key)) await insertOutboxEvents(tx, [notificationOutboxRow(tenantId, { type: 'notification.completed', notificationId, status, reason, counts: counts as Record<string, number> })]);
      });
    },

    async deliveryNotice(deliveryId, n) {
      const d = await findTrackedDelivery(deps.db, deliveryId);
      if (!d) return false;
      await write([{ d, e: { key: `${d.id}:delayed:${n.key}`, type: 'delayed', at: new Date(), reason: n.reason, errorCode: n.errorCode, details: n.details } }]);
      return true;
    },

    async targetsRemoved(deliveryId, n) {
      const d = await findTrackedDelivery(deps.db, deliveryId);
      if (!d) return;
      const reason = `${n.provider ?? 'the provider'} reported ${n.count} push target${n.count === 1 ? '' : 's'} gone (unregistered or invalid); removed from the user's profile`;
      await write([{ d, e: { key: `${d.id}:target_removed:${n.key}`, type: 'target_removed', at: new Date(), reason, details: { removed: n.count, provider: n.provider } } }]);
    },

    async engagement(deliveryId, e) {
      const d = await findTrackedDelivery(deps.db, deliveryId);
      if (!d) return false;
      const written = await write([{ d, e: engagementEntry(d.id, e) }]);
      if (written.size > 0) log.debug({ deliveryId, kind: e.kind }, 'engagement recorded');
      return true;
    },

    async messagesRead(write) {
      const { result, items, written } = await inTransaction(deps.db, async (tx) => {
        const { result, deliveryIds } = await write(tx);
        const rows = [];
        for (let i = 0; i < deliveryIds.length; i += PAGE) rows.push(...(await trackedDeliveriesByIds(tx, deliveryIds.slice(i, i + PAGE))));
        const items = rows.map((d) => ({ d, e: engagementEntry(d.id, { kind: 'read' }) }));
        return { result, items, written: await writeIn(tx, items) };
      });
      observe(items, written);
      return result;
    },

    async emailTracking(tenantId, content) {
      if (content.email?.tracking === false) return false;
      // Asked for every email of a campaign: concurrent asks share one query.
      return tenantTracking(tenantId);
    },
  };
}
