import type { ColumnType, Insertable, Selectable } from 'kysely';

export interface ProvidersTable {
  tenant_id: string;
  id: string;
  channel: string;
  kind: string;
  config_sealed: string;
  order: ColumnType<number, number | undefined, number>;
  rate_per_second: number | null;
  rate_burst: number | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ProviderHealthTable {
  tenant_id: string;
  provider_id: string;
  /** `closed` (healthy), `open` (skipped), `half_open` (one probe allowed). */
  state: ColumnType<string, string | undefined, string>;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  opened_at: Date | null;
  last_error: string | null;
  /** Token bucket shared by all workers: tokens left at `tokens_at`. */
  tokens: number | null;
  tokens_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type ProviderRow = Selectable<ProvidersTable>;
export type NewProvider = Insertable<ProvidersTable>;
export type ProviderHealthRow = Selectable<ProviderHealthTable>;
