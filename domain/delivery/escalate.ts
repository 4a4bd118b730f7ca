// Stage 9: when the first wave did not reach a user (delivered, or read) within the
// escalation window, that user gets rows on the fallback channels, decided by the same policy.
import type { Channel } from '../../channels/types.js';
import { insertDeliveries } from '../../schema/queries/deliveries.js';
import { findNotification } from '../../schema/queries/notifications.js';
import { pendingOnChannels, usersNotReached } from '../../schema/queries/orchestration.js';
import { findTemplateVersion } from '../../schema/queries/templates.js';
import { findUsers } from '../../schema/queries/users.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import { ledgerRows, planPage } from '../audience/audience.js';
import type { PolicyContext } from '../audience/policy.js';
import type { DeliveryDeps } from './deps.js';
import { policyContextFor } from './prepare.js';
import type { NotificationRef } from './send-checks.js';

export interface EscalationInput extends NotificationRef {
  channels: string[];
  until: 'delivered' | 'read';
}

type EscalateDeps = Pick<DeliveryDeps, 'db' | 'messageIdDomain' | 'tracker'>;

const PAGE = 500;

/** Rows on the escalation channels for every user the first wave did not reach; their ids. */
export async function escalate(deps: EscalateDeps, { tenantId, notificationId, channels, until }: EscalationInput): Promise<string[]> {
  const n = await findNotification(deps.db, tenantId, notificationId);
  if (!n) return [];
  const template = await findTemplateVersion(deps.db, tenantId, n.template_key, n.template_version);
  if (!template) return [];
  const ctx = await policyContextFor(deps, n, template, channels as Channel[]);
  await planUnreached(deps, n, ctx, until);
  // Inserted rows that already existed (a retried step) keep their first ids.
  const present = await pendingOnChannels(deps.db, notificationId, channels);
  await deps.tracker.recordPreparedIds(present);
  return present;
}

async function planUnreached(deps: EscalateDeps, n: NotificationRow, ctx: PolicyContext, until: EscalationInput['until']): Promise<void> {
  for (let after: string | undefined; ; ) {
    const userIds = await usersNotReached(deps.db, n.id, until, { after, limit: PAGE });
    if (userIds.length === 0) return;
    const users = await findUsers(deps.db, n.tenant_id, userIds);
    await deps.db.transaction().execute(async (tx) => {
      await insertDeliveries(tx, ledgerRows(n.tenant_id, n.id, deps.messageIdDomain, await planPage(tx, n.tenant_id, n.id, ctx, users, false)));
    });
    after = userIds.at(-1);
    if (userIds.length < PAGE) return;
  }
}
