import type { ColumnType, Insertable, Selectable } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  timezone: string;
  bulk_threshold: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | undefined, never>;
  /** Private CIDRs webhooks and HTTP gateways of this tenant may reach anyway. */
  outbound_allowlist: ColumnType<string[], string[] | undefined, string[]>;
  /** Email open pixel and click-tracking links (on unless switched off). */
  tracking: ColumnType<boolean, boolean | undefined, boolean>;
  /** Hours of the tenant's day when low-priority bulk sends go out: {start, end} as HH:MM. */
  send_window: ColumnType<{ start: string; end: string } | null, string | null | undefined, string | null>;
  approval_timeout_seconds: ColumnType<number, number | undefined, number>;
  /** Same template + data to the same user within this many seconds is suppressed `duplicate`. */
  dedup_window_seconds: ColumnType<number, number | undefined, number>;
  /** Recipients per UTC day; null for no quota. */
  daily_quota: ColumnType<number | null, number | null | undefined, number | null>;
  /** Attachments of one email notification, all together, in bytes. */
  max_attachment_bytes: ColumnType<number, number | undefined, number>;
  /** Days its deliveries, their log and events are kept (domain/storage/retention.ts). */
  retention_days: ColumnType<number, number | undefined, number>;
  /** Recipients named inline in a send: kept as directory users, or as ephemeral ones (domain/recipients/ephemeral.ts). */
  inline_recipients: ColumnType<InlineRecipientMode, InlineRecipientMode | undefined, InlineRecipientMode>;
  /** How long an ephemeral recipient outlives the last send that named it. */
  ephemeral_recipient_seconds: ColumnType<number, number | undefined, number>;
}
export type InlineRecipientMode = 'directory' | 'ephemeral';
export type TenantRow = Selectable<TenantsTable>;
export type NewTenant = Insertable<TenantsTable>;
