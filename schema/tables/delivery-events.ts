import type { ColumnType, Insertable, Selectable } from 'kysely';

/**
 * Analytics events when no ClickHouse is configured: one row per state change of a
 * delivery, keyed by the event id so a re-recorded event is stored once.
 */
export interface DeliveryEventsTable {
  event_id: string;
  type: string;
  at: Date;
  tenant_id: string;
  notification_id: string;
  delivery_id: string;
  user_id: string;
  template_key: string;
  template_version: number;
  channel: string;
  provider: string | null;
  priority: string;
  category: string | null;
  module: string | null;
  /** bigint (unsigned 32-bit in ClickHouse), which node-postgres reads as a string. */
  created_to_sent_ms: ColumnType<string | null, number | null, number | null>;
  sent_to_delivered_ms: ColumnType<string | null, number | null, number | null>;
  error_code: string | null;
  error_reason: string | null;
}
export type DeliveryEventRow = Selectable<DeliveryEventsTable>;
export type NewDeliveryEvent = Insertable<DeliveryEventsTable>;
