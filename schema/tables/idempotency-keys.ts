import type { ColumnType, Selectable } from 'kysely';

/** An Idempotency-Key a tenant sent with a creating POST (domain/idempotency/idempotency.ts). */
export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  /** Hash of the method, path and canonical body: the same key must come with the same request. */
  fingerprint: string;
  /** Null while the first request with the key is in flight. */
  response_status: number | null;
  response_body: ColumnType<unknown, string | null | undefined, string | null>;
  locked_until: Date | null;
  created_at: ColumnType<Date, Date | undefined, Date>;
}

export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
