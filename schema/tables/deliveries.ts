import type { ColumnType, Insertable, Selectable } from 'kysely';

/**
 * The delivery ledger: one row per (notification, recipient, channel). A row is claimed
 * before a provider is called and completed after, which is what keeps retries, failover
 * and resends from sending a message twice.
 */
export interface DeliveriesTable {
  id: string;
  tenant_id: string;
  notification_id: string;
  user_id: string;
  channel: string;
  /** Where the message went: an email address, a phone number, a chat id. */
  address: string | null;
  provider: string | null;
  status: string;
  attempts: ColumnType<number, number | undefined, number>;
  /** Why the row is suppressed/failed/expired, or the last transient error while retrying. */
  reason: string | null;
  error_code: string | null;
  /** Stable id derived from the ledger row: email Message-ID, push topic, idempotency keys. */
  message_id: string;
  provider_message_id: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  claimed_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  /** Set when quiet hours deferred the row: it is not sent before this time. */
  deferred_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The notification's created_at, the partition key (its month); insertDeliveries copies it from the notification. */
  notification_created_at: ColumnType<Date, Date | undefined, never>;
}
export type DeliveryRow = Selectable<DeliveriesTable>;
export type NewDelivery = Insertable<DeliveriesTable>;
