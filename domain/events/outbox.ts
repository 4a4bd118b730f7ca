// What goes into the event outbox and how it comes back out: delivery events (the analytics
// vocabulary, analytics/events.ts) as `delivery.<type>`, notification events as their own
// topics. Pure, apart from the types of the outbox table.
import type { DeliveryEvent } from '../../analytics/events.js';
import type { EventOutboxRow, NewOutboxEvent } from '../../schema/tables/event-outbox.js';

export const DELIVERY_TOPIC_PREFIX = 'delivery.';

export function deliveryOutboxRow(e: DeliveryEvent): NewOutboxEvent {
  return { event_id: e.eventId, tenant_id: e.tenantId, topic: `${DELIVERY_TOPIC_PREFIX}${e.type}`, payload: JSON.stringify(e) };
}

/** The delivery event an outbox row holds, or undefined for a notification event. */
export function deliveryEventOf(row: EventOutboxRow): DeliveryEvent | undefined {
  if (!row.topic.startsWith(DELIVERY_TOPIC_PREFIX)) return undefined;
  const p = row.payload as unknown as Omit<DeliveryEvent, 'at'> & { at: string };
  return { ...p, at: new Date(p.at) };
}
