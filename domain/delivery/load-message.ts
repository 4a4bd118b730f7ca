// What one delivery sends: its ledger row, the notification, the template content and the
// recipient. Read on every delivery, changing seldom or never, so most of it is cached: a
// template version is immutable, and a notification's row is fixed once it is sending.
import { createGroupCommit } from '../../common/group-commit.js';
import { createTtlCache } from '../../common/ttl-cache.js';
import { recipientDataOf } from '../../schema/queries/inline-recipients.js';
import { findNotification } from '../../schema/queries/notifications.js';
import { findTemplateVersion } from '../../schema/queries/templates.js';
import type { Db } from '../../schema/database.js';
import type { DeliveryRow } from '../../schema/tables/deliveries.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { TemplateVersionRow } from '../../schema/tables/templates.js';
import type { UserRow } from '../../schema/tables/users.js';
import { notFound } from '../errors.js';
import { mergeRecipientData } from '../notifications/inline-recipients.js';
import type { LedgerGroups } from './ledger-groups.js';

export interface LoadedMessage {
  delivery: DeliveryRow;
  notification: NotificationRow;
  content: TemplateVersionRow['content'];
  /** The notification's data with the recipient's own merged over it (still sealed). */
  data: Record<string, unknown>;
  /** Undefined when the user was deleted since the row was planned. */
  user: UserRow | undefined;
}

export function createMessageLoader(db: Db, ledger: LedgerGroups) {
  const templateVersions = createTtlCache<string, TemplateVersionRow | undefined>(10 * 60_000);
  const notifications = createTtlCache<string, NotificationRow | undefined>(10_000);
  const recipientData = createGroupCommit<{ notificationId: string; userId: string }, Record<string, unknown> | undefined>(async (keys) => {
    const found = await recipientDataOf(db, keys);
    return keys.map((k) => found.get(`${k.notificationId}\u0000${k.userId}`));
  }, { maxBatch: 200 });

  return async function loadMessage(tenantId: string, deliveryId: string): Promise<LoadedMessage> {
    const delivery = await ledger.load(deliveryId);
    if (!delivery || delivery.tenant_id !== tenantId) throw notFound(`delivery ${deliveryId}`);
    const n = await notifications.get(`${tenantId}:${delivery.notification_id}`, () => findNotification(db, tenantId, delivery.notification_id));
    if (!n) throw notFound(`notification ${delivery.notification_id}`);
    const version = await templateVersions.get(`${tenantId}:${n.template_key}:${n.template_version}`, () => findTemplateVersion(db, tenantId, n.template_key, n.template_version));
    if (!version) throw notFound(`template ${n.template_key} v${n.template_version}`);
    const user = await ledger.user({ tenantId, userId: delivery.user_id });
    // Read only for notifications that have any: most have none, and pay nothing for it.
    const own = n.has_recipient_data ? await recipientData({ notificationId: n.id, userId: delivery.user_id }) : undefined;
    return { delivery, notification: n, content: version.content, data: mergeRecipientData(n.data, own), user };
  };
}
