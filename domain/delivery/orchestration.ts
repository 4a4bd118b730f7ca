// Activities of the orchestration stages around delivery: validation, bulk paging and
// batched delivery, retry rounds, cancellation, send windows and escalation.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { openSealed } from '../notifications/sealed-data.js';
import type { Channel } from '../../channels/types.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { countAudienceUsers } from '../../schema/queries/audience.js';
import { insertDeliveries } from '../../schema/queries/deliveries.js';
import { findNotification } from '../../schema/queries/notifications.js';
import { pendingDueIds, pendingSummary, suppressUnsent, usersNotReached } from '../../schema/queries/orchestration.js';
import { findTemplateVersion } from '../../schema/queries/templates.js';
import { findTenant } from '../../schema/queries/tenants.js';
import { findUsers } from '../../schema/queries/users.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { TemplateVersionRow } from '../../schema/tables/templates.js';
import { ledgerRows, planPage, resolveAudienceUsersPage } from '../audience/audience.js';
import type { createDeliverActivities } from './deliver.js';
import type { ActivityDeps } from '../../activities/deps.js';
import { loadForSend, policyContextFor, suppressRecentDuplicates } from './prepare.js';
import { msUntilWindow } from '../notifications/send-window.js';

export interface NotificationRef {
  tenantId: string;
  notificationId: string;
}

export type ValidationResult = { ok: true; audienceSize: number; approvalTimeoutMs: number } | { ok: false; reason: string };

export interface PageInput extends NotificationRef {
  cursor: string | null;
  pageSize: number;
}

export interface PageResult {
  /** Rows of this page to attempt now (deferred ones wait for a retry round). */
  dueIds: string[];
  nextCursor: string | null;
  users: number;
}

export interface BatchInput {
  tenantId: string;
  deliveryIds: string[];
  concurrency: number;
}

export interface BatchResult {
  sent: number;
  failed: number;
  /** Still pending after a transient failure: a later round tries them again. */
  retry: number;
  /** The longest Retry-After a provider asked for, if any. */
  retryAfterMs: number | null;
}

export interface EscalationInput extends NotificationRef {
  channels: string[];
  until: 'delivered' | 'read';
}

/** The most audience a notification may have; more is a rule violation, not a 500. */
export const MAX_AUDIENCE = 10_000_000;

/** The rules only checkable when the run starts (the API checked what it could). */
export async function checkAtSendTime(
  deps: Pick<ActivityDeps, 'db' | 'variables' | 'secretBox'>,
  n: NotificationRow,
  version: TemplateVersionRow,
): Promise<{ ok: true; audienceSize: number } | { ok: false; reason: string }> {
  const issues = deps.variables.validate(version.content.variables, openSealed(n.data, deps.secretBox));
  if (issues.length > 0) return { ok: false, reason: `data no longer satisfies the template's variables: ${issues.map((i) => i.variable).join(', ')}` };
  if (n.send_at && n.expires_at && n.expires_at <= n.send_at) return { ok: false, reason: 'expiresAt is not after sendAt' };
  const size = await countAudienceUsers(deps.db, n.tenant_id, n.audience as AudienceSelectors);
  if (size === 0) return { ok: false, reason: 'the audience is empty' };
  if (size > MAX_AUDIENCE) return { ok: false, reason: `the audience of ${size} users is over the limit of ${MAX_AUDIENCE}` };
  return { ok: true, audienceSize: size };
}

export function createOrchestrationActivities(deps: ActivityDeps, deliver: ReturnType<typeof createDeliverActivities>['deliver']) {
  return {
    /** The rules only checkable when the run starts (the API checked what it could). */
    async validateNotification({ tenantId, notificationId }: NotificationRef): Promise<ValidationResult> {
      const loaded = await loadForSend(deps, { tenantId, notificationId });
      if (!loaded.ok) return loaded;
      const checked = await checkAtSendTime(deps, loaded.n, loaded.version);
      if (!checked.ok) return checked;
      const tenant = await findTenant(deps.db, tenantId);
      return { ok: true, audienceSize: checked.audienceSize, approvalTimeoutMs: (tenant?.approval_timeout_seconds ?? 72 * 3600) * 1000 };
    },

    /** One page of a bulk audience: decide, write its ledger rows, return what to send now. */
    async preparePage({ tenantId, notificationId, cursor, pageSize }: PageInput): Promise<PageResult> {
      const n = await findNotification(deps.db, tenantId, notificationId);
      if (!n) throw ApplicationFailure.nonRetryable(`notification ${notificationId} not found`, 'NotFound');
      const template = await findTemplateVersion(deps.db, tenantId, n.template_key, n.template_version);
      if (!template) throw ApplicationFailure.nonRetryable(`template ${n.template_key} v${n.template_version} not found`, 'NotFound');
      const ctx = await policyContextFor(deps, n, template, n.channels as Channel[]);
      const page = await resolveAudienceUsersPage(deps.db, tenantId, n.audience as AudienceSelectors, cursor, pageSize);
      await deps.db.transaction().execute(async (tx) => {
        const planned = await suppressRecentDuplicates(tx, n, await planPage(tx, tenantId, notificationId, ctx, page.users, true));
        await insertDeliveries(tx, ledgerRows(tenantId, notificationId, deps.messageIdDomain, planned));
      });
      // A retried page keeps the rows of its first attempt; read back the ids actually there.
      const userIds = page.users.map((u) => u.id);
      const present = await deps.db
        .selectFrom('deliveries')
        .select(['id', 'status', 'deferred_until'])
        .where('notification_id', '=', notificationId)
        .where('user_id', 'in', userIds.length ? userIds : [''])
        .execute();
      await deps.tracker.recordPreparedIds(present.map((r) => r.id));
      const now = new Date();
      const dueIds = present.filter((r) => r.status === 'pending' && (!r.deferred_until || r.deferred_until <= now)).map((r) => r.id);
      return { dueIds, nextCursor: page.nextCursor, users: page.users.length };
    },

    /**
     * Delivers a batch concurrently inside one activity: far less orchestration per message
     * than one activity each. Heartbeats as it goes; a retried batch skips rows the ledger
     * already shows sent.
     */
    async deliverBatch({ tenantId, deliveryIds, concurrency }: BatchInput): Promise<BatchResult> {
      const ctx = Context.current();
      const result: BatchResult = { sent: 0, failed: 0, retry: 0, retryAfterMs: null };
      let next = 0;
      let done = 0;
      async function lane(): Promise<void> {
        while (next < deliveryIds.length) {
          const id = deliveryIds[next++];
          if (id === undefined) return;
          try {
            const r = await deliver({ tenantId, deliveryId: id });
            if (r.status === 'sent' || r.status === 'delivered') result.sent += 1;
          } catch (err) {
            if (err instanceof ApplicationFailure && err.nonRetryable) result.failed += 1;
            else {
              result.retry += 1;
              const after = err instanceof ApplicationFailure && typeof err.nextRetryDelay === 'number' ? err.nextRetryDelay : null;
              if (after !== null) result.retryAfterMs = Math.max(result.retryAfterMs ?? 0, after);
            }
          }
          done += 1;
          if (done % 20 === 0) ctx.heartbeat(done);
        }
      }
      // On a timer too: a provider taking its time is not a dead worker.
      const beat = setInterval(() => ctx.heartbeat(done), 3_000);
      try {
        await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, deliveryIds.length)) }, lane));
      } finally {
        clearInterval(beat);
      }
      return result;
    },

    /** A page of rows still pending and due now, for a retry round. */
    async pendingDue({ notificationId, after, limit }: { notificationId: string; after: string | null; limit: number }): Promise<string[]> {
      return pendingDueIds(deps.db, notificationId, { after: after ?? undefined, limit, now: new Date() });
    },

    async pendingSummary({ notificationId }: { notificationId: string }): Promise<{ pending: number; nextDueMs: number | null }> {
      const s = await pendingSummary(deps.db, notificationId);
      return { pending: s.pending, nextDueMs: s.nextDue ? Math.max(0, s.nextDue.getTime() - Date.now()) : null };
    },

    /** Marks due rows that ran out of retry rounds failed, keeping their last reason. */
    async failUnsent({ notificationId, reason }: { notificationId: string; reason: string }): Promise<number> {
      const now = new Date();
      const r = await deps.db
        .updateTable('deliveries')
        .set((eb) => ({ status: 'failed', failed_at: now, updated_at: now, reason: eb.fn.coalesce(eb.ref('reason'), eb.val(reason)) }))
        .where('notification_id', '=', notificationId)
        .where('status', 'in', ['pending', 'sending'])
        .where((eb) => eb.or([eb('deferred_until', 'is', null), eb('deferred_until', '<=', now)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) await deps.tracker.recordCurrent(notificationId, ['failed']);
      return Number(r.numUpdatedRows);
    },

    /** Cancel: whatever has not gone out is suppressed with the reason. */
    async cancelUnsent({ notificationId, reason }: { notificationId: string; reason: string }): Promise<number> {
      const n = await suppressUnsent(deps.db, notificationId, reason);
      if (n > 0) await deps.tracker.recordCurrent(notificationId, ['suppressed']);
      return n;
    },

    async sendWindowDelay({ tenantId }: { tenantId: string }): Promise<number> {
      const tenant = await findTenant(deps.db, tenantId);
      return msUntilWindow(tenant?.send_window ?? null, tenant?.timezone ?? 'UTC', new Date());
    },

    /** Rows on the escalation channels for every user the first wave did not reach. */
    async escalate({ tenantId, notificationId, channels, until }: EscalationInput): Promise<string[]> {
      const n = await findNotification(deps.db, tenantId, notificationId);
      if (!n) return [];
      const template = await findTemplateVersion(deps.db, tenantId, n.template_key, n.template_version);
      if (!template) return [];
      const ctx = await policyContextFor(deps, n, template, channels as Channel[]);
      let after: string | undefined;
      for (;;) {
        const userIds = await usersNotReached(deps.db, notificationId, until, { after, limit: 500 });
        if (userIds.length === 0) break;
        const users = await findUsers(deps.db, tenantId, userIds);
        await deps.db.transaction().execute(async (tx) => {
          await insertDeliveries(tx, ledgerRows(tenantId, notificationId, deps.messageIdDomain, await planPage(tx, tenantId, notificationId, ctx, users, false)));
        });
        after = userIds.at(-1);
        if (userIds.length < 500) break;
      }
      // Inserted rows that already existed (a retried activity) keep their first ids.
      const present = await deps.db
        .selectFrom('deliveries')
        .select('id')
        .where('notification_id', '=', notificationId)
        .where('channel', 'in', channels)
        .where('status', '=', 'pending')
        .execute();
      await deps.tracker.recordPreparedIds(present.map((r) => r.id));
      return present.map((r) => r.id);
    },
  };
}
