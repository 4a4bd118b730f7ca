import type { ColumnType, Insertable, Selectable } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  timezone: string;
  bulk_threshold: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type TenantRow = Selectable<TenantsTable>;
export type NewTenant = Insertable<TenantsTable>;
