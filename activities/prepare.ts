// Stage 1 of a run: check the notification against the rules that can only be checked at
// send time, and write one ledger row per recipient × channel.
import { newId } from '../common/ids.js';
import type { Channel } from '../common/statuses.js';
import { insertDeliveries, listDeliveryIds } from '../schema/queries/deliveries.js';
import { findNotification, setNotificationStatus } from '../schema/queries/notifications.js';
import { findTemplateVersion } from '../schema/queries/templates.js';
import { findUsers } from '../schema/queries/users.js';
import type { NewDelivery } from '../schema/tables/deliveries.js';
import type { UserRow } from '../schema/tables/users.js';
import type { ActivityDeps } from './deps.js';

export interface PrepareInput {
  tenantId: string;
  notificationId: string;
}

export type PrepareResult =
  | { ok: true; deliveryIds: string[] }
  | { ok: false; reason: string };

function addressFor(user: UserRow, channel: Channel): string | null {
  if (channel === 'email') return user.email;
  return null;
}

export function createPrepareActivities(deps: ActivityDeps) {
  return {
    async prepareNotification({ tenantId, notificationId }: PrepareInput): Promise<PrepareResult> {
      const n = await findNotification(deps.db, tenantId, notificationId);
      if (!n) return { ok: false, reason: 'notification no longer exists' };
      const template = await findTemplateVersion(deps.db, tenantId, n.template_key, n.template_version);
      if (!template) return { ok: false, reason: `template ${n.template_key} v${n.template_version} no longer exists` };

      const userIds = [...new Set(n.audience.userIds ?? [])];
      const users = new Map((await findUsers(deps.db, tenantId, userIds)).map((u) => [u.id, u]));
      const rows: NewDelivery[] = [];
      for (const userId of userIds) {
        const user = users.get(userId);
        for (const channel of n.channels as Channel[]) {
          const address = user ? addressFor(user, channel) : null;
          const reason = !user ? 'unknown_user' : !address ? 'no_identity' : !template.content[channel] ? 'no_template_content' : null;
          const id = newId('dlv');
          rows.push({
            id,
            tenant_id: tenantId,
            notification_id: notificationId,
            user_id: userId,
            channel,
            address,
            status: reason ? 'suppressed' : 'pending',
            reason,
            message_id: `<${id}@${deps.messageIdDomain}>`,
          });
        }
      }
      await deps.db.transaction().execute(async (tx) => {
        await insertDeliveries(tx, rows);
        await setNotificationStatus(tx, notificationId, 'sending');
      });
      // Read back rather than trust `rows`: a retried activity keeps the rows (and ids)
      // of the first attempt.
      return { ok: true, deliveryIds: await listDeliveryIds(deps.db, notificationId, ['pending', 'sending']) };
    },
  };
}
