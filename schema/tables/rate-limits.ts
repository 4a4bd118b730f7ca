import type { ColumnType } from 'kysely';

export interface RateBucketsTable {
  key: string;
  tokens: number;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface TenantUsageTable {
  tenant_id: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: ColumnType<string, string, never>;
  recipients: ColumnType<number, number | undefined, number>;
}
