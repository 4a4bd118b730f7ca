// Stage 1 of a run: check the notification against the rules that can only be checked at
// send time, resolve its audience page by page, decide per recipient × channel (policy,
// with a recorded reason for every row that will not be sent now), and write one ledger
// row per recipient × channel.
import type { Channel } from '../../channels/types.js';
import type { DbOrTx } from '../../schema/database.js';
import { recentlySentSameContent } from '../../schema/queries/orchestration.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { TemplateVersionRow } from '../../schema/tables/templates.js';
import { insertDeliveries } from '../../schema/queries/deliveries.js';
import { unsentWithDeferral } from '../../schema/queries/delivery-plans.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { findNotification, setNotificationStatus } from '../../schema/queries/notifications.js';
import { findTemplateVersion } from '../../schema/queries/templates.js';
import { findTenant } from '../../schema/queries/tenants.js';
import { findUsers } from '../../schema/queries/users.js';
import { ledgerRows, planPage, resolveAudienceUsersPage, DEFAULT_PAGE_SIZE, type PlannedUser } from '../audience/audience.js';
import type { ActivityDeps } from '../../activities/deps.js';
import { DEFAULT_CATEGORY, loadPolicyStatic, type PolicyContext } from '../audience/policy.js';

export interface PrepareInput {
  tenantId: string;
  notificationId: string;
}

export type PrepareResult =
  | {
      ok: true;
      deliveryIds: string[];
      /** Deliveries that quiet hours defer: delivery id → ISO time not to send before. */
      notBefore?: Record<string, string>;
    }
  | { ok: false; reason: string };

/** What policy needs to decide a page of this notification, on these channels. */
export async function policyContextFor(deps: Pick<ActivityDeps, 'db'>, n: NotificationRow, template: TemplateVersionRow, channels: readonly Channel[]): Promise<PolicyContext> {
  const tenant = await findTenant(deps.db, n.tenant_id);
  const fixed = await loadPolicyStatic(deps.db, n.tenant_id, n.category ?? DEFAULT_CATEGORY, tenant?.timezone ?? 'UTC');
  return {
    now: new Date(),
    priority: n.priority,
    category: fixed.category,
    tenantTimezone: fixed.tenantTimezone,
    channels,
    templateChannels: new Set((Object.keys(template.content) as Channel[]).filter((c) => channels.includes(c))),
    providerKinds: fixed.providerKinds,
  };
}

/**
 * The per-recipient dedup window: a user who got the same template and data from another
 * notification within the tenant's window is suppressed `duplicate`.
 */
export async function suppressRecentDuplicates(db: DbOrTx, n: NotificationRow, planned: PlannedUser[]): Promise<PlannedUser[]> {
  if (!n.content_hash) return planned;
  const tenant = await findTenant(db, n.tenant_id);
  const window = tenant?.dedup_window_seconds ?? 0;
  if (window <= 0) return planned;
  const live = planned.filter((p) => p.decisions.some((d) => d.status === 'pending')).map((p) => p.userId);
  const dupes = await recentlySentSameContent(db, n.tenant_id, n.content_hash, n.id, live, new Date(Date.now() - window * 1000));
  return planned.map((p) =>
    dupes.has(p.userId)
      ? { ...p, decisions: p.decisions.map((d) => (d.status === 'pending' ? { channel: d.channel, status: 'suppressed' as const, address: d.address, reason: 'duplicate' as const } : d)) }
      : p,
  );
}

/** A notification and the template version it renders, or why a run cannot use them. */
export async function loadForSend(deps: Pick<ActivityDeps, 'db'>, { tenantId, notificationId }: PrepareInput): Promise<{ ok: true; n: NotificationRow; version: TemplateVersionRow } | { ok: false; reason: string }> {
  const n = await findNotification(deps.db, tenantId, notificationId);
  if (!n) return { ok: false, reason: 'notification no longer exists' };
  const version = await findTemplateVersion(deps.db, tenantId, n.template_key, n.template_version);
  if (!version) return { ok: false, reason: `template ${n.template_key} v${n.template_version} no longer exists` };
  return { ok: true, n, version };
}

export function createPrepareActivities(deps: ActivityDeps) {
  return {
    async prepareNotification(input: PrepareInput): Promise<PrepareResult> {
      const loaded = await loadForSend(deps, input);
      return loaded.ok ? prepareLoaded(deps, loaded.n, loaded.version) : loaded;
    },
  };
}

/** Writes the ledger rows of a loaded notification and marks it sending. */
export async function prepareLoaded(deps: ActivityDeps, n: NotificationRow, template: TemplateVersionRow): Promise<PrepareResult> {
  const tenantId = n.tenant_id;
  const notificationId = n.id;
  const ctx = await policyContextFor(deps, n, template, n.channels as Channel[]);

  // Single sends resolve in one page; the loop is the same one a bulk campaign pages with.
  // The stored segment was validated by the API's Segment schema before it was written.
  const audience = n.audience as AudienceSelectors;
  let cursor: string | null = null;
  do {
    const page = await resolveAudienceUsersPage(deps.db, tenantId, audience, cursor, DEFAULT_PAGE_SIZE);
    // Cap slots and ledger rows commit together: a crash between them cannot leave a
    // slot counted for a notification that has no rows (a retry finds its own slot).
    await deps.db.transaction().execute(async (tx) => {
      const planned = await suppressRecentDuplicates(tx, n, await planPage(tx, tenantId, notificationId, ctx, page.users, true));
      await insertDeliveries(tx, ledgerRows(tenantId, notificationId, deps.messageIdDomain, planned));
    });
    cursor = page.nextCursor;
  } while (cursor !== null);

  // Ids named explicitly but gone since submission (deleted users) get a row that says so.
  const named = [...new Set(n.audience.userIds ?? [])];
  const found = new Set((await findUsers(deps.db, tenantId, named)).map((u) => u.id));
  const unknown: PlannedUser[] = named
    .filter((id) => !found.has(id))
    .map((userId) => ({ userId, decisions: ctx.channels.map((channel) => ({ channel, status: 'suppressed' as const, address: null, reason: 'unknown_user' as const })) }));

  if (unknown.length === 0) await setNotificationStatus(deps.db, notificationId, 'sending');
  else {
    await deps.db.transaction().execute(async (tx) => {
      await insertDeliveries(tx, ledgerRows(tenantId, notificationId, deps.messageIdDomain, unknown));
      await setNotificationStatus(tx, notificationId, 'sending');
    });
  }
  // Read back rather than trust what was planned: a retried activity keeps the rows (and
  // ids, and deferrals) of the first attempt.
  const unsent = await unsentWithDeferral(deps.db, notificationId);
  await deps.tracker.recordPrepared(notificationId);
  const notBefore: Record<string, string> = {};
  for (const u of unsent) if (u.deferredUntil) notBefore[u.id] = u.deferredUntil.toISOString();
  return { ok: true, deliveryIds: unsent.map((u) => u.id), ...(Object.keys(notBefore).length > 0 ? { notBefore } : {}) };
}
