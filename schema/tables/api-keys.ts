import type { ColumnType, Insertable, Selectable } from 'kysely';

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The first characters of the key, shown in lists so a key can be recognised. */
  prefix: string;
  /** SHA-256 of the whole key; keys are 32+ random bytes, so a fast hash is enough. */
  secret_hash: string;
  scopes: string[];
  created_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  /** This key's request rate; null uses the server default. */
  rate_per_second: ColumnType<number | null, number | null | undefined, number | null>;
  rate_burst: ColumnType<number | null, number | null | undefined, number | null>;
}
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKey = Insertable<ApiKeysTable>;
