// The body a webhook receiver gets for an outbox event, as Standard Webhooks suggests:
// `{ type, timestamp, data }`. Fixed when the event is fanned out, so every attempt (and a
// redelivery) sends the same bytes under the same `webhook-id`.
import type { Priority } from '../../common/priorities.js';
import type { EventOutboxRow } from '../../schema/tables/event-outbox.js';
import { deliveryEventOf } from './outbox.js';

/** What a `delivery.*` event tells a receiver: the delivery, and the reason and provider reply where there is one. */
export interface DeliveryEventData {
  notificationId: string;
  deliveryId: string;
  userId: string;
  channel: string;
  provider: string | null;
  templateKey: string;
  templateVersion: number;
  priority: Priority;
  category: string | null;
  /** Why it failed, bounced, was suppressed, expired or recalled: the policy's reason or the provider's reply. */
  reason: string | null;
  /** The provider's or the policy's code (an SMTP status, an HTTP status, `no_identity`). */
  errorCode: string | null;
  createdToSentMs: number | null;
  sentToDeliveredMs: number | null;
}

export function webhookBody(row: EventOutboxRow): string {
  const e = deliveryEventOf(row);
  const data: Record<string, unknown> = e
    ? ({
        notificationId: e.notificationId,
        deliveryId: e.deliveryId,
        userId: e.userId,
        channel: e.channel,
        provider: e.provider,
        templateKey: e.templateKey,
        templateVersion: e.templateVersion,
        priority: e.priority,
        category: e.category,
        reason: e.errorReason,
        errorCode: e.errorCode,
        createdToSentMs: e.createdToSentMs,
        sentToDeliveredMs: e.sentToDeliveredMs,
      } satisfies DeliveryEventData)
    : row.payload;
  const at = e ? e.at : row.created_at;
  return JSON.stringify({ type: row.topic, timestamp: at.toISOString(), data });
}
