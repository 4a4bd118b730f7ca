// A run's first step, told to the tenant's webhook endpoints: `notification.accepted` once the
// run validates its notification (whatever started it: the API, a schedule, a digest, the
// runless sweeper), and `approval.requested` when a valid bulk send waits for an approver next.
// A single send due now says it in beginSingleSend instead (domain/delivery/single-send.ts).
import { findNotification } from '../../schema/queries/notifications.js';
import { acceptedEvent, emitNotificationEvents, type NotificationEvent } from '../events/notification-events.js';
import type { DeliveryDeps } from './deps.js';
import { validateNotification, type NotificationRef, type ValidationResult } from './send-checks.js';

export async function startRun(deps: Pick<DeliveryDeps, 'db' | 'variables' | 'secretBox'>, ref: NotificationRef): Promise<ValidationResult> {
  const result = await validateNotification(deps, ref);
  const n = await findNotification(deps.db, ref.tenantId, ref.notificationId);
  if (!n) return result;
  const events: NotificationEvent[] = [acceptedEvent(n)];
  // Every bulk run waits for a decision next (a firing of an approved schedule gets it at once).
  if (result.ok && n.kind === 'bulk') {
    events.push({ type: 'approval.requested', notificationId: n.id, audienceSize: result.audienceSize, decideBy: new Date(Date.now() + result.approvalTimeoutMs).toISOString() });
  }
  await emitNotificationEvents(deps.db, ref.tenantId, events);
  return result;
}
