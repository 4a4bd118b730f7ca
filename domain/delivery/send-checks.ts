// The rules only checkable when a run starts (the API checked what it could when it
// accepted the notification), and the tenant's send window a run waits for.
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { countAudienceUsers } from '../../schema/queries/audience.js';
import { findTenant } from '../../schema/queries/tenants.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { TemplateVersionRow } from '../../schema/tables/templates.js';
import { namedChats } from '../audience/chat-groups.js';
import { openSealed } from '../notifications/sealed-data.js';
import { msUntilWindow } from '../notifications/send-window.js';
import type { DeliveryDeps } from './deps.js';
import { loadForSend } from './prepare.js';

export interface NotificationRef {
  tenantId: string;
  notificationId: string;
}

export type ValidationResult = { ok: true; audienceSize: number; approvalTimeoutMs: number } | { ok: false; reason: string };

/** The most audience a notification may have; more is a rule violation, not a 500. */
export const MAX_AUDIENCE = 10_000_000;

type CheckDeps = Pick<DeliveryDeps, 'db' | 'variables' | 'secretBox'>;

/** The rules only checkable when the run starts. */
export async function checkAtSendTime(deps: CheckDeps, n: NotificationRow, version: TemplateVersionRow): Promise<{ ok: true; audienceSize: number } | { ok: false; reason: string }> {
  // With per-recipient data the API checked each recipient's merged data; data alone may lack what they supply.
  const issues = n.has_recipient_data ? [] : deps.variables.validate(version.content.variables, openSealed(n.data, deps.secretBox));
  if (issues.length > 0) return { ok: false, reason: `data no longer satisfies the template's variables: ${issues.map((i) => i.variable).join(', ')}` };
  if (n.send_at && n.expires_at && n.expires_at <= n.send_at) return { ok: false, reason: 'expiresAt is not after sendAt' };
  // A named group chat counts as one recipient: its one post (chat-groups.ts).
  const size = (await countAudienceUsers(deps.db, n.tenant_id, n.audience as AudienceSelectors)) + namedChats(n).length;
  if (size === 0) return { ok: false, reason: 'the audience is empty' };
  if (size > MAX_AUDIENCE) return { ok: false, reason: `the audience of ${size} users is over the limit of ${MAX_AUDIENCE}` };
  return { ok: true, audienceSize: size };
}

/** The send-time rules, with how long an approver has to decide (the tenant's setting). */
export async function validateNotification(deps: CheckDeps, ref: NotificationRef): Promise<ValidationResult> {
  const loaded = await loadForSend(deps, ref);
  if (!loaded.ok) return loaded;
  const checked = await checkAtSendTime(deps, loaded.n, loaded.version);
  if (!checked.ok) return checked;
  const tenant = await findTenant(deps.db, ref.tenantId);
  return { ok: true, audienceSize: checked.audienceSize, approvalTimeoutMs: (tenant?.approval_timeout_seconds ?? 72 * 3600) * 1000 };
}

/** How long until the tenant's send window opens; 0 inside it. */
export async function sendWindowDelay(deps: Pick<DeliveryDeps, 'db'>, tenantId: string): Promise<number> {
  const tenant = await findTenant(deps.db, tenantId);
  return msUntilWindow(tenant?.send_window ?? null, tenant?.timezone ?? 'UTC', new Date());
}
