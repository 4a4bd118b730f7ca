// Notification-level events: a notification accepted (its run started), a bulk send waiting for
// an approver, the approver's decision (or the timeout's), and the outcome. Each goes into the
// event outbox in the transaction of the change it describes, with an id made of the
// notification id and the event type, so the same change recorded twice is one event.
import type { DbOrTx } from '../../schema/database.js';
import { insertOutboxEvents } from '../../schema/queries/event-outbox.js';
import type { NewOutboxEvent } from '../../schema/tables/event-outbox.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';

export const NOTIFICATION_EVENT_TYPES = ['notification.accepted', 'approval.requested', 'approval.decided', 'notification.completed'] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** `notification.accepted`: the notification's run started; what it sends and when. */
export interface NotificationAcceptedData {
  notificationId: string;
  kind: 'single' | 'bulk';
  templateKey: string;
  templateVersion: number;
  priority: string;
  category: string | null;
  /** Null: as soon as possible. */
  sendAt: string | null;
  expiresAt: string | null;
}

/** `approval.requested`: a bulk send waits for a key with `approve` (not its creator) to decide. */
export interface ApprovalRequestedData {
  notificationId: string;
  /** Users the audience matched when the run started. */
  audienceSize: number;
  /** Not decided by then: rejected. */
  decideBy: string;
}

/** `approval.decided`: approved or rejected by a key, or rejected because nobody decided in time (`decidedBy` null). */
export interface ApprovalDecidedData {
  notificationId: string;
  approved: boolean;
  decidedBy: string | null;
  comment: string | null;
  reason: string | null;
}

/** `notification.completed`: the final status (completed, partially_failed, failed, expired, rejected, cancelled) and the deliveries' counts. */
export interface NotificationCompletedData {
  notificationId: string;
  status: string;
  reason: string | null;
  counts: Record<string, number>;
}

export type NotificationEvent =
  | ({ type: 'notification.accepted' } & NotificationAcceptedData)
  | ({ type: 'approval.requested' } & ApprovalRequestedData)
  | ({ type: 'approval.decided' } & ApprovalDecidedData)
  | ({ type: 'notification.completed' } & NotificationCompletedData);

export function notificationOutboxRow(tenantId: string, e: NotificationEvent): NewOutboxEvent {
  const { type, ...data } = e;
  return { event_id: `${e.notificationId}:${type}`, tenant_id: tenantId, topic: type, payload: JSON.stringify(data) };
}

/** Writes the events into the outbox, in `tx` when the change has a transaction; an id already there is left as it is. */
export function emitNotificationEvents(tx: DbOrTx, tenantId: string, events: NotificationEvent[]): Promise<void> {
  return insertOutboxEvents(
    tx,
    events.map((e) => notificationOutboxRow(tenantId, e)),
  );
}

export function acceptedEvent(n: NotificationRow): NotificationEvent {
  return {
    type: 'notification.accepted',
    notificationId: n.id,
    kind: n.kind as NotificationAcceptedData['kind'],
    templateKey: n.template_key,
    templateVersion: n.template_version,
    priority: n.priority,
    category: n.category,
    sendAt: n.send_at?.toISOString() ?? null,
    expiresAt: n.expires_at?.toISOString() ?? null,
  };
}

export function decidedEvent(n: Pick<NotificationRow, 'id'>, d: { approved: boolean; by: string | null; comment: string | null; reason?: string | null }): NotificationEvent {
  return { type: 'approval.decided', notificationId: n.id, approved: d.approved, decidedBy: d.by, comment: d.comment, reason: d.reason ?? null };
}
