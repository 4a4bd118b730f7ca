import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

/**
 * The activity log of notifications (GET /v1/notifications/{id}/events): one row per state
 * change of a delivery, per policy decision, per failed attempt, per open and click.
 */
export interface DeliveryLogTable {
  /** bigserial, which node-postgres reads as a string; also the timeline's order and cursor. */
  id: Generated<string>;
  event_key: string;
  tenant_id: string;
  notification_id: string;
  delivery_id: string | null;
  user_id: string | null;
  channel: string | null;
  /** A DeliveryEventType, `attempt_failed`, or `finished` (the notification's outcome). */
  event: string;
  attempt: number | null;
  provider: string | null;
  reason: string | null;
  error_code: string | null;
  details: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  at: ColumnType<Date, Date | undefined, never>;
  /** The notification's created_at, the partition key (its month); insertLogEntries copies it from the notification. */
  notification_created_at: ColumnType<Date, Date | undefined, never>;
}
export type DeliveryLogRow = Selectable<DeliveryLogTable>;
export type NewDeliveryLogEntry = Insertable<DeliveryLogTable>;
