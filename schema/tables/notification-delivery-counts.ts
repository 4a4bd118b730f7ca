import type { ColumnType } from 'kysely';

/** Written by PostgreSQL alone (the delivery-counts migration's triggers): never by a query. */
type Kept<T> = ColumnType<T, never, never>;
/** A bigint: node-postgres reads it as a string. */
type Count = Kept<string>;

/**
 * A notification's ledger rows per status (the shape of DeliveryCounts), kept exact by
 * statement triggers on `deliveries`; no row until its first delivery is written.
 */
export interface NotificationDeliveryCountsTable {
  notification_id: Kept<string>;
  /** The ledger's partition key: the counts of a dropped month partition go with it. */
  notification_created_at: Kept<Date>;
  total: Count;
  /** pending and sending */
  pending: Count;
  sent: Count;
  delivered: Count;
  failed: Count;
  bounced: Count;
  suppressed: Count;
  expired: Count;
  recalled: Count;
}
