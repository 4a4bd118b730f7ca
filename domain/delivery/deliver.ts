// Stage 7: one delivery of one message to one recipient on one channel, guarded by the
// ledger so that however often Temporal runs this activity, the provider is asked once
// per successful send.
import { Context } from '@temporalio/activity';
import { isDependencyDown } from '../../common/dependency-down.js';
import { ApplicationFailure } from '@temporalio/common';
import type { WebPushSubscription } from '../../channels/types.js';
import { DEV_SIGNING_KEY } from '../../common/config.js';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { openSealed } from '../notifications/sealed-data.js';
import { createGroupCommit } from '../../common/group-commit.js';
import { createTtlCache } from '../../common/ttl-cache.js';
import { unsubscribeHeaders } from '../links/unsubscribe.js';
import { bounceAddress } from '../links/bounce-address.js';
import { findCategorySettings } from '../../schema/queries/preferences.js';
import { categoryPolicy, DEFAULT_CATEGORY } from '../audience/policy.js';
import { addEmailTracking } from '../links/tracking-links.js';
import type { DeliveryStatus } from '../../schema/tables/statuses.js';
import type { Channel } from '../../channels/types.js';
import {
  claimDeliveries,
  completeDeliveries,
  expireDeliveries,
  failDelivery,
  findDeliveries,
  findDelivery,
  noteDeliveryRetry,
  suppressDelivery,
  type Completion,
} from '../../schema/queries/deliveries.js';
import { forgetPushTargets } from '../../schema/queries/identities.js';
import { applyEarlyReceipts } from '../../schema/queries/receipts.js';
import { insertInboxMessage } from '../../schema/queries/inbox.js';
import { findNotification } from '../../schema/queries/notifications.js';
import { findTemplateVersion } from '../../schema/queries/templates.js';
import { findUsers } from '../../schema/queries/users.js';
import type { DeliveryRow } from '../../schema/tables/deliveries.js';
import type { UserRow } from '../../schema/tables/users.js';
import { composeMessage, type ComposeContext } from '../templates/compose.js';
import type { ActivityDeps } from '../../activities/deps.js';
import { TargetsGone, type ProviderRouter } from './provider-router.js';
import { RenderError, type RenderedByChannel } from '../templates/render.js';
import { describeTarget, targetsFor, type Identities, type Target } from '../audience/targets.js';

export interface DeliverInput {
  tenantId: string;
  deliveryId: string;
}

export interface DeliverResult {
  status: DeliveryStatus;
}

export interface FailDeliveryInput {
  deliveryId: string;
  reason: string;
}

export const INAPP_PROVIDER = 'inbox';

function goneSplit(targets: Target[]): { webpushEndpoints: string[]; tokens: string[] } {
  return {
    webpushEndpoints: targets.filter((t): t is WebPushSubscription => typeof t !== 'string').map((t) => t.endpoint),
    tokens: targets.filter((t): t is string => typeof t === 'string'),
  };
}

/** Retries `write` while PostgreSQL is unreachable, for up to `maxMs` (inside the attempt's timeout). */
async function untilDatabaseAnswers<T>(write: () => Promise<T>, maxMs = 40_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await write();
    } catch (err) {
      if (!isDependencyDown(err) || Date.now() + delay > deadline) throw err;
      Context.current().heartbeat();
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}


export function createDeliverActivities(deps: ActivityDeps, router: ProviderRouter) {
  // Read on every delivery, changing seldom or never: a template version is immutable; a
  // notification's row is fixed once it is sending; category settings apply within seconds.
  const templateVersions = createTtlCache<string, Awaited<ReturnType<typeof findTemplateVersion>>>(10 * 60_000);
  const notifications = createTtlCache<string, Awaited<ReturnType<typeof findNotification>>>(10_000);
  const categorySettings = createTtlCache<string, Awaited<ReturnType<typeof findCategorySettings>>>(5_000);

  // A campaign's batch runs dozens of deliveries at once: their ledger reads and writes go
  // to PostgreSQL together (common/group-commit.ts), a few statements per group instead of
  // several per message. A single send's calls still go out at once.
  const GROUP = { maxBatch: 200 };
  const byId = <R extends { id: string }>(ids: readonly string[], rows: readonly R[]) => {
    const m = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => m.get(id));
  };
  const loadDelivery = createGroupCommit<string, DeliveryRow | undefined>(async (ids) => byId(ids, await findDeliveries(deps.db, ids)), GROUP);
  const claimDelivery = createGroupCommit<string, DeliveryRow | undefined>(async (ids) => byId(ids, await claimDeliveries(deps.db, ids)), GROUP);
  /** `receipts`: the provider sends delivery receipts, so one may have beaten this write. */
  const completeDelivery = createGroupCommit<{ id: string; completion: Completion; receipts: boolean }, void>(async (items) => {
    await completeDeliveries(deps.db, items);
    // Receipts that came first were held; they apply now (the tracker reads the row after).
    const early = items.filter((i) => i.receipts).map((i) => i.id);
    if (early.length > 0) await applyEarlyReceipts(deps.db, early);
    return items.map(() => undefined);
  }, GROUP);
  const loadUser = createGroupCommit<{ tenantId: string; userId: string }, UserRow | undefined>(async (keys) => {
    const tenants = [...new Set(keys.map((k) => k.tenantId))];
    const found = new Map<string, UserRow>();
    for (const tenantId of tenants) {
      const rows = await findUsers(deps.db, tenantId, [...new Set(keys.filter((k) => k.tenantId === tenantId).map((k) => k.userId))]);
      for (const u of rows) found.set(`${tenantId}\u0000${u.id}`, u);
    }
    return keys.map((k) => found.get(`${k.tenantId}\u0000${k.userId}`));
  }, GROUP);

  async function loadMessage(tenantId: string, deliveryId: string) {
    const delivery = await loadDelivery(deliveryId);
    if (!delivery || delivery.tenant_id !== tenantId) throw ApplicationFailure.nonRetryable(`delivery ${deliveryId} not found`, 'NotFound');
    const n = await notifications.get(`${tenantId}:${delivery.notification_id}`, () => findNotification(deps.db, tenantId, delivery.notification_id));
    if (!n) throw ApplicationFailure.nonRetryable(`notification ${delivery.notification_id} not found`, 'NotFound');
    const version = await templateVersions.get(`${tenantId}:${n.template_key}:${n.template_version}`, () => findTemplateVersion(deps.db, tenantId, n.template_key, n.template_version));
    if (!version) throw ApplicationFailure.nonRetryable(`template ${n.template_key} v${n.template_version} not found`, 'NotFound');
    const user = await loadUser({ tenantId, userId: delivery.user_id });
    return { delivery, notification: n, content: version.content, user };
  }

  /** RFC 8058 one-click unsubscribe headers, except for categories nobody may opt out of. */
  async function listUnsubscribeHeaders(tenantId: string, userId: string, category: string | null): Promise<Record<string, string>> {
    const cat = category ?? DEFAULT_CATEGORY;
    const settings = await categorySettings.get(`${tenantId}:${cat}`, () => findCategorySettings(deps.db, tenantId, cat));
    if (!deps.signingKey || categoryPolicy(cat, settings).mandatory) return {};
    return unsubscribeHeaders({ publicUrl: deps.publicUrl, signingKey: deps.signingKey, ttlSeconds: deps.tokens?.unsubscribeTtlSeconds, tenantId, userId, category: cat });
  }

  /** The VERP return path of one delivery, when bounces are received (HERALD_BOUNCE_DOMAIN). */
  function verpAddress(deliveryId: string): string | undefined {
    return deps.bounceDomain ? bounceAddress(deps.signingKey ?? DEV_SIGNING_KEY, deps.bounceDomain, deliveryId) : undefined;
  }

  async function giveUp(deliveryId: string, err: DeliveryError): Promise<never> {
    await failDelivery(deps.db, deliveryId, err.message, err.code ?? err.type, err.provider);
    await deps.tracker.deliveryChanged(deliveryId);
    throw ApplicationFailure.create({ message: err.message, type: err.type, nonRetryable: true });
  }

  return {
    async deliver({ tenantId, deliveryId }: DeliverInput): Promise<DeliverResult> {
      const { delivery, notification, content, user } = await loadMessage(tenantId, deliveryId);
      if (!['pending', 'sending'].includes(delivery.status)) {
        // Final already; recording again heals an earlier attempt that died between the ledger write and the tracker.
        await deps.tracker.deliveryChanged(deliveryId);
        return { status: delivery.status as DeliveryStatus };
      }
      if (notification.expires_at && notification.expires_at.getTime() <= Date.now()) {
        // Retries may run past the expiry; a time-limited message is then dropped, never late.
        await expireDeliveries(deps.db, notification.id, `expired at ${notification.expires_at.toISOString()} before it could be sent`, deliveryId);
        await deps.tracker.deliveryChanged(deliveryId);
        return { status: 'expired' };
      }
      if (!user) {
        await suppressDelivery(deps.db, deliveryId, 'unknown_user');
        await deps.tracker.deliveryChanged(deliveryId);
        return { status: 'suppressed' };
      }
      const channel = delivery.channel as Channel;

      let rendered: RenderedByChannel[Channel];
      try {
        // The recipient's own locale and time zone pick the variant and format dates/numbers.
        rendered = deps.renderer.render(content, channel, { data: openSealed(notification.data, deps.secretBox), locale: user.locale, timezone: user.timezone });
      } catch (err) {
        if (err instanceof RenderError) return giveUp(deliveryId, new DeliveryError(DeliveryErrorType.Content, err.message));
        throw err;
      }
      // Per recipient: each message's pixel and links carry its own delivery id.
      if (channel === 'email' && (rendered as RenderedByChannel['email']).html !== undefined && (await deps.tracker.emailTracking(tenantId, content))) {
        const email = rendered as RenderedByChannel['email'];
        rendered = { ...email, html: addEmailTracking(email.html ?? '', { publicUrl: deps.publicUrl, signingKey: deps.signingKey ?? DEV_SIGNING_KEY, ttlSeconds: deps.tokens?.trackingTtlSeconds, deliveryId }) };
      }

      const claimed = await claimDelivery(deliveryId);
      if (!claimed) {
        const now = await findDelivery(deps.db, deliveryId);
        await deps.tracker.deliveryChanged(deliveryId);
        return { status: (now?.status ?? 'failed') as DeliveryStatus };
      }

      if (channel === 'inapp') {
        const r = rendered as RenderedByChannel['inapp'];
        await insertInboxMessage(deps.db, {
          id: delivery.id,
          tenant_id: tenantId,
          user_id: user.id,
          notification_id: notification.id,
          title: r.title,
          body: r.body,
          url: r.url ?? null,
          data: JSON.stringify(r.data ?? {}),
        });
        await completeDelivery({ id: deliveryId, completion: { provider: INAPP_PROVIDER, providerMessageId: delivery.id, address: 'inbox' }, receipts: false });
        await deps.tracker.deliveryChanged(deliveryId);
        return { status: 'sent' };
      }

      const ctx: ComposeContext = {
        messageId: delivery.message_id,
        notificationId: notification.id,
        templateKey: notification.template_key,
        priority: notification.priority,
        expiresAt: notification.expires_at,
        ...(channel === 'email' ? { headers: await listUnsubscribeHeaders(tenantId, user.id, notification.category), envelopeFrom: verpAddress(deliveryId) } : {}),
      };
      const profile = { email: user.email, phone: user.phone, identities: user.identities as Identities };
      try {
        const sent = await router.send(tenantId, channel, (kind) =>
          targetsFor(channel, kind, profile).map((t) => composeMessage(channel, rendered as never, t, ctx)),
        );
        if (sent.goneTargets.length > 0) {
          await deps.db.transaction().execute((tx) => forgetPushTargets(tx, tenantId, user.id, goneSplit(sent.goneTargets)));
        }
        // The provider has the message: recording that must not fail the attempt, or the retry
        // would send it again. A database outage is waited out here instead.
        await untilDatabaseAnswers(() =>
          completeDelivery({
            id: deliveryId,
            completion: { provider: sent.providerId, providerMessageId: sent.providerMessageId, address: sent.targets.map(describeTarget).join(', ') },
            receipts: deps.channels.get(sent.providerKind)?.limits.supportsReceipts ?? false,
          }),
        );
        await deps.tracker.deliveryChanged(deliveryId);
        return { status: 'sent' };
      } catch (err) {
        if (err instanceof TargetsGone) {
          await deps.db.transaction().execute((tx) => forgetPushTargets(tx, tenantId, user.id, goneSplit(err.goneTargets)));
        }
        const de = err instanceof DeliveryError ? err : new DeliveryError(DeliveryErrorType.Network, (err as Error).message, { cause: err });
        if (de.code === 'no_identity') {
          await suppressDelivery(deps.db, deliveryId, 'no_identity');
          await deps.tracker.deliveryChanged(deliveryId);
          return { status: 'suppressed' };
        }
        if (de.permanent) return giveUp(deliveryId, de);
        await noteDeliveryRetry(deps.db, deliveryId, de.message, de.code ?? de.type, de.provider);
        await deps.tracker.attemptFailed(deliveryId);
        throw ApplicationFailure.create({
          message: de.message,
          type: de.type,
          ...(de.retryAfterMs !== undefined ? { nextRetryDelay: de.retryAfterMs } : {}),
        });
      }
    },

    /** Called by the workflow when retries are exhausted or the activity timed out for good. */
    async failDelivery({ deliveryId, reason }: FailDeliveryInput): Promise<void> {
      const current = await findDelivery(deps.db, deliveryId);
      // Keep the provider's last reason when there is one; it says more than "retries exhausted".
      const detail = current?.reason ? `${reason}; last error: ${current.reason}` : reason;
      await failDelivery(deps.db, deliveryId, detail, current?.error_code ?? null);
      await deps.tracker.deliveryChanged(deliveryId);
    },
  };
}
