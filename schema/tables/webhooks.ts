import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A tenant's subscription: where events go, which ones, and the secrets that sign them. */
export interface WebhookEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  enabled: Generated<boolean>;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_expires_at: Date | null;
  /** Since when every attempt failed; null after a success. */
  failing_since: Date | null;
  /** While failing: when the next probe (one delivery) may go; no other delivery is claimed before. */
  probe_at: Date | null;
  /** Failed attempts in a row since the last success: the step of the retry schedule the next probe waits. */
  probe_failures: ColumnType<number, number | undefined, number>;
  disabled_reason: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type NewWebhookEndpoint = Insertable<WebhookEndpointsTable>;

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint, fanned out by the outbox relay. */
export interface WebhookDeliveriesTable {
  /** bigserial, read as a string. */
  id: Generated<string>;
  endpoint_id: string;
  tenant_id: string;
  /** The `webhook-id` a receiver de-duplicates on. */
  event_id: string;
  topic: string;
  /** The JSON body, fixed at fan-out so every attempt sends the same bytes. */
  body: string;
  event_at: Date;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  delivered_at: Date | null;
}
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type NewWebhookDelivery = Insertable<WebhookDeliveriesTable>;

export interface WebhookAttemptsTable {
  id: Generated<string>;
  endpoint_id: string;
  delivery_id: string;
  event_id: string;
  at: ColumnType<Date, Date | undefined, never>;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
export type NewWebhookAttempt = Insertable<WebhookAttemptsTable>;
