// What one delivery sends: its ledger row, the notification, the template content and the
// recipient. Read on every delivery, changing seldom or never, so most of it is cached: a
// template version is immutable, and a notification's row is fixed once it is sending.
import { createTtlCache } from '../../common/ttl-cache.js';
import { findNotification } from '../../schema/queries/notifications.js';
import { findTemplateVersion } from '../../schema/queries/templates.js';
import type { Db } from '../../schema/database.js';
import type { DeliveryRow } from '../../schema/tables/deliveries.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { TemplateVersionRow } from '../../schema/tables/templates.js';
import type { UserRow } from '../../schema/tables/users.js';
import { notFound } from '../errors.js';
import type { LedgerGroups } from './ledger-groups.js';

export interface LoadedMessage {
  delivery: DeliveryRow;
  notification: NotificationRow;
  content: TemplateVersionRow['content'];
  /** Undefined when the user was deleted since the row was planned. */
  user: UserRow | undefined;
}

export function createMessageLoader(db: Db, ledger: LedgerGroups) {
  const templateVersions = createTtlCache<string, TemplateVersionRow | undefined>(10 * 60_000);
  const notifications = createTtlCache<string, NotificationRow | undefined>(10_000);

  return async function loadMessage(tenantId: string, deliveryId: string): Promise<LoadedMessage> {
    const delivery = await ledger.load(deliveryId);
    if (!delivery || delivery.tenant_id !== tenantId) throw notFound(`delivery ${deliveryId}`);
    const n = await notifications.get(`${tenantId}:${delivery.notification_id}`, () => findNotification(db, tenantId, delivery.notification_id));
    if (!n) throw notFound(`notification ${delivery.notification_id}`);
    const version = await templateVersions.get(`${tenantId}:${n.template_key}:${n.template_version}`, () => findTemplateVersion(db, tenantId, n.template_key, n.template_version));
    if (!version) throw notFound(`template ${n.template_key} v${n.template_version}`);
    const user = await ledger.user({ tenantId, userId: delivery.user_id });
    return { delivery, notification: n, content: version.content, user };
  };
}
