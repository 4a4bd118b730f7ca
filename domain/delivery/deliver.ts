// Stage 7: one delivery of one message to one recipient on one channel, guarded by the
// ledger so that however often it runs (Temporal runs an activity at least once), the
// provider is asked once per successful send: the row is claimed before the provider is
// called and completed after. A permanent failure is recorded and thrown as it is; a
// transient one is noted on the row and thrown for the caller to retry.
import { createHash } from 'node:crypto';
import type { Channel, ChatMessage, WebPushSubscription } from '../../channels/types.js';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { expireDeliveries, failDelivery, findDelivery, noteDeliveryRetry, suppressDelivery } from '../../schema/queries/deliveries.js';
import { forgetPushTargets } from '../../schema/queries/identities.js';
import { insertInboxMessage } from '../../schema/queries/inbox.js';
import type { DeliveryStatus } from '../../schema/tables/statuses.js';
import type { DbOrTx } from '../../schema/database.js';
import type { UserRow } from '../../schema/tables/users.js';
import { chatOfRecipient, GROUP_ROBOT_KINDS } from '../audience/chat-groups.js';
import { describeTarget, targetsFor, type Identities, type Target } from '../audience/targets.js';
import { noHeartbeat, type Heartbeat } from '../heartbeat.js';
import { openSealed } from '../notifications/sealed-data.js';
import { composeMessage, type ComposeContext } from '../templates/compose.js';
import { recipientIssues, recipientOf, type RecipientVariables } from '../templates/recipient.js';
import { RenderError, type RenderedByChannel } from '../templates/render.js';
import type { DeliveryDeps } from './deps.js';
import { createEmailExtras } from './email-extras.js';
import { mentionsByKind } from './group-mentions.js';
import { untilRateAllows } from './rate-wait.js';
import { createLedgerGroups, type LedgerGroups } from './ledger-groups.js';
import { createMessageLoader, type LoadedMessage } from './load-message.js';
import { TargetsGone, type ProviderRouter } from './provider-router.js';
import { untilDatabaseAnswers } from './wait-for-database.js';

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

type Rendered = RenderedByChannel[Channel];
/** A loaded message whose recipient exists. */
type Sendable = LoadedMessage & { user: UserRow };

function goneSplit(targets: Target[]): { webpushEndpoints: string[]; tokens: string[] } {
  return {
    webpushEndpoints: targets.filter((t): t is WebPushSubscription => typeof t !== 'string').map((t) => t.endpoint),
    tokens: targets.filter((t): t is string => typeof t === 'string'),
  };
}

/** Targets the provider called gone leave the user's profile, so no later send tries them; the timeline says so. */
async function forgetGone(c: Ctx, { delivery, user }: Pick<Sendable, 'delivery' | 'user'>, targets: Target[], provider: string | null): Promise<void> {
  // Only push targets (device tokens, web push subscriptions) are a list to prune; an address a
  // mail or SMS provider refused stays on the profile, and its failure says why.
  if (delivery.channel !== 'push') return;
  const gone = goneSplit(targets);
  await c.deps.db.transaction().execute((tx) => forgetPushTargets(tx, delivery.tenant_id, user.id, gone));
  const key = createHash('sha256').update([...gone.webpushEndpoints, ...gone.tokens].sort().join('\n')).digest('hex').slice(0, 16);
  await c.deps.tracker.targetsRemoved(delivery.id, { key, provider, count: targets.length });
}

/** What every step of a delivery works with, built once per worker process. */
interface Ctx {
  deps: DeliveryDeps;
  router: ProviderRouter;
  ledger: LedgerGroups;
  email: ReturnType<typeof createEmailExtras>;
}

async function recorded(c: Ctx, deliveryId: string, status: DeliveryStatus): Promise<DeliverResult> {
  await c.deps.tracker.deliveryChanged(deliveryId);
  return { status };
}

/** A ledger write and the events of the row's new state, in one transaction. */
async function transition(c: Ctx, deliveryId: string, status: DeliveryStatus, write: (tx: DbOrTx) => Promise<unknown>): Promise<DeliverResult> {
  await c.deps.tracker.change([deliveryId], write);
  return { status };
}

/** A row that must not go out (final already, expired, recipient gone), recorded as such. */
async function notToSend(c: Ctx, { delivery, notification, user }: LoadedMessage): Promise<DeliverResult | null> {
  // Final already; recording again heals an earlier attempt that died between the ledger write and the tracker.
  if (!['pending', 'sending'].includes(delivery.status)) return recorded(c, delivery.id, delivery.status as DeliveryStatus);
  if (notification.expires_at && notification.expires_at.getTime() <= Date.now()) {
    // Retries may run past the expiry; a time-limited message is then dropped, never late.
    const reason = `expired at ${notification.expires_at.toISOString()} before it could be sent`;
    return transition(c, delivery.id, 'expired', (tx) => expireDeliveries(tx, notification.id, reason, delivery.id));
  }
  if (user || chatOfRecipient(delivery.user_id)) return null;
  return transition(c, delivery.id, 'suppressed', (tx) => suppressDelivery(tx, delivery.id, 'unknown_user'));
}

async function giveUp(c: Ctx, deliveryId: string, err: DeliveryError): Promise<never> {
  await c.deps.tracker.change([deliveryId], (tx) => failDelivery(tx, deliveryId, err.message, err.code ?? err.type, err.provider));
  throw err;
}

/** Why this user cannot get this template (fields its `recipientVariables` require), or null. */
function missingRecipientVariables(c: Ctx, { content }: Sendable, recipient: RecipientVariables): string | null {
  if (!content.recipientVariables) return null;
  const issues = recipientIssues(c.deps.variables, content.recipientVariables, recipient);
  return issues.length === 0 ? null : `missing_recipient_variables: ${issues.map((i) => `${i.variable} ${i.message}`).join('; ')}`;
}

async function render(c: Ctx, { delivery, data, content, user }: Sendable, recipient: RecipientVariables): Promise<Rendered> {
  const channel = delivery.channel as Channel;
  let rendered: Rendered;
  try {
    // The recipient's own locale and time zone pick the variant and format dates/numbers.
    rendered = c.deps.renderer.render(content, channel, { data: openSealed(data, c.deps.secretBox), locale: user.locale, timezone: user.timezone, recipient });
  } catch (err) {
    if (err instanceof RenderError) return giveUp(c, delivery.id, new DeliveryError(DeliveryErrorType.Content, err.message));
    throw err;
  }
  return channel === 'email' ? c.email.tracked(rendered as RenderedByChannel['email'], delivery.tenant_id, content, delivery.id) : rendered;
}

async function toInbox(c: Ctx, { delivery, notification, user }: Sendable, rendered: Rendered): Promise<DeliverResult> {
  const r = rendered as RenderedByChannel['inapp'];
  await insertInboxMessage(c.deps.db, {
    id: delivery.id,
    tenant_id: delivery.tenant_id,
    user_id: user.id,
    notification_id: notification.id,
    title: r.title,
    body: r.body,
    url: r.url ?? null,
    data: JSON.stringify(r.data ?? {}),
    category: notification.category,
    actions: JSON.stringify(r.actions ?? []),
  });
  // The completion is recorded with its events (ledger-groups.ts).
  await c.ledger.complete({ id: delivery.id, completion: { provider: INAPP_PROVIDER, providerMessageId: delivery.id, address: 'inbox' }, receipts: false });
  return { status: 'sent' };
}

async function composeContext(c: Ctx, { delivery, notification, user }: Sendable): Promise<ComposeContext> {
  return {
    messageId: delivery.message_id,
    notificationId: notification.id,
    templateKey: notification.template_key,
    priority: notification.priority,
    expiresAt: notification.expires_at,
    ...(delivery.channel === 'email'
      ? { headers: await c.email.headers(delivery.tenant_id, user.id, notification.category), envelopeFrom: c.email.envelopeFrom(delivery.id), email: await c.email.options(delivery.tenant_id, notification.id) }
      : {}),
  };
}

async function throughProvider(c: Ctx, m: Sendable, rendered: Rendered, heartbeat: Heartbeat): Promise<DeliverResult> {
  const { delivery, user } = m;
  const tenantId = delivery.tenant_id;
  const channel = delivery.channel as Exclude<Channel, 'inapp'>; // in-app messages go to the inbox, never a provider
  const profile = { email: user.email, phone: user.phone, identities: user.identities as Identities };
  try {
    // Inside the try: an attachment URL that fails is this delivery's failure, retried or final like a provider's.
    const ctx = await composeContext(c, m);
    const sent = await c.router.send(tenantId, channel, (kind) => targetsFor(channel, kind, profile).map((t) => composeMessage(channel, rendered as never, t, { ...ctx, providerKind: kind })));
    if (sent.goneTargets.length > 0) await forgetGone(c, m, sent.goneTargets, sent.providerId);
    // The provider has the message: recording that must not fail the attempt, or the retry
    // would send it again. A database outage is waited out here instead.
    const completion = { provider: sent.providerId, providerMessageId: sent.providerMessageId, address: sent.targets.map(describeTarget).join(', ') };
    const receipts = c.deps.channels.get(sent.providerKind)?.limits.supportsReceipts ?? false;
    await untilDatabaseAnswers(() => c.ledger.complete({ id: delivery.id, completion, receipts }), heartbeat);
    return { status: 'sent' };
  } catch (err) {
    return sendFailed(c, m, err);
  }
}

/** Suppressed when the recipient has no address here; otherwise recorded and thrown (permanent or not). */
async function sendFailed(c: Ctx, { delivery, user }: Sendable, err: unknown): Promise<DeliverResult> {
  if (err instanceof TargetsGone) await forgetGone(c, { delivery, user }, err.goneTargets, err.provider ?? null);
  const de = err instanceof DeliveryError ? err : new DeliveryError(DeliveryErrorType.Network, (err as Error).message, { cause: err });
  if (de.code === 'no_identity') return transition(c, delivery.id, 'suppressed', (tx) => suppressDelivery(tx, delivery.id, 'no_identity'));
  if (de.permanent) return giveUp(c, delivery.id, de);
  await noteDeliveryRetry(c.deps.db, delivery.id, de.message, de.code ?? de.type, de.provider);
  await c.deps.tracker.attemptFailed(delivery.id);
  throw de;
}

/**
 * A notification's one post into a group chat (chat-groups.ts): rendered for no one in
 * particular, @-mentioning the audience members the platform knows, through the named chat's
 * robot (or the group robots in failover order), guarded by the ledger like any delivery.
 */
async function postToGroup(c: Ctx, m: LoadedMessage, providerId: string | undefined, heartbeat: Heartbeat): Promise<DeliverResult> {
  const { delivery, notification, content } = m;
  const recipient: RecipientVariables = { id: delivery.user_id, ...(providerId ? { name: providerId } : {}), attributes: {} };
  const missing = missingRecipientVariables(c, m as Sendable, recipient);
  if (missing) return transition(c, delivery.id, 'suppressed', (tx) => suppressDelivery(tx, delivery.id, missing));
  let rendered: RenderedByChannel['chat'];
  try {
    rendered = c.deps.renderer.render(content, 'chat', { data: openSealed(m.data, c.deps.secretBox), locale: null, timezone: null, recipient });
  } catch (err) {
    if (err instanceof RenderError) return giveUp(c, delivery.id, new DeliveryError(DeliveryErrorType.Content, err.message));
    throw err;
  }
  if (!(await c.ledger.claim(delivery.id))) return recorded(c, delivery.id, ((await findDelivery(c.deps.db, delivery.id))?.status ?? 'failed') as DeliveryStatus);
  try {
    const mentions = await mentionsByKind(c.deps.db, c.deps.channels, notification, providerId);
    const ctx = { messageId: delivery.message_id, notificationId: notification.id, templateKey: notification.template_key, priority: notification.priority, expiresAt: notification.expires_at };
    const compose = (kind: string) => (GROUP_ROBOT_KINDS.has(kind) ? [{ ...(composeMessage('chat', rendered, 'group', ctx) as ChatMessage), mentions: mentions.get(kind) ?? [] }] : []);
    const sent = await untilRateAllows(() => c.router.send(delivery.tenant_id, 'chat', compose, providerId), heartbeat);
    const completion = { provider: sent.providerId, providerMessageId: sent.providerMessageId, address: sent.providerId };
    await untilDatabaseAnswers(() => c.ledger.complete({ id: delivery.id, completion, receipts: false }), heartbeat);
    return { status: 'sent' };
  } catch (err) {
    return sendFailed(c, m as Sendable, err);
  }
}

export function createDeliverer(deps: DeliveryDeps, router: ProviderRouter) {
  const ledger = createLedgerGroups(deps.db, deps.tracker);
  const loadMessage = createMessageLoader(deps.db, ledger);
  const c: Ctx = { deps, router, ledger, email: createEmailExtras(deps) };

  return {
    /** `heartbeat` is called while a database outage is waited out after the provider took the message. */
    async deliver({ tenantId, deliveryId }: DeliverInput, heartbeat: Heartbeat = noHeartbeat): Promise<DeliverResult> {
      const m = await loadMessage(tenantId, deliveryId);
      const settled = await notToSend(c, m);
      if (settled) return settled;
      const chat = chatOfRecipient(m.delivery.user_id);
      if (chat) return postToGroup(c, m, chat.providerId, heartbeat);
      const sendable = m as Sendable; // notToSend settled every row without a recipient
      const recipient = recipientOf(sendable.user);
      const missing = missingRecipientVariables(c, sendable, recipient);
      if (missing) return transition(c, deliveryId, 'suppressed', (tx) => suppressDelivery(tx, deliveryId, missing));
      const rendered = await render(c, sendable, recipient);
      if (!(await ledger.claim(deliveryId))) {
        // Another attempt holds or finished the row: report what it says now.
        const now = await findDelivery(deps.db, deliveryId);
        return recorded(c, deliveryId, (now?.status ?? 'failed') as DeliveryStatus);
      }
      return m.delivery.channel === 'inapp' ? toInbox(c, sendable, rendered) : throughProvider(c, sendable, rendered, heartbeat);
    },

    /** Called by the workflow when retries are exhausted or the activity timed out for good. */
    async failDelivery({ deliveryId, reason }: FailDeliveryInput): Promise<void> {
      const current = await findDelivery(deps.db, deliveryId);
      // Keep the provider's last reason when there is one; it says more than "retries exhausted".
      const detail = current?.reason ? `${reason}; last error: ${current.reason}` : reason;
      await deps.tracker.change([deliveryId], (tx) => failDelivery(tx, deliveryId, detail, current?.error_code ?? null));
    },
  };
}

export type Deliverer = ReturnType<typeof createDeliverer>;
