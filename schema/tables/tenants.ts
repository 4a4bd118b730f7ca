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
  /** Recipients per UTC day; null for no quota. */
  daily_quota: ColumnType<number | null, number | null | undefined, number | null>;
}
export type TenantRow = Selectable<TenantsTable>;
export type NewTenant = Insertable<TenantsTable>;
