import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';

/**
 * Takes up to `want` tokens from a shared bucket in one statement (the row lock
 * serialises API processes). Returns how many were granted, how many are left in the
 * bucket, and when none were granted, how long until one is there.
 */
export async function takeTokens(db: DbOrTx, key: string, want: number, perSecond: number, burst: number): Promise<{ granted: number; left: number; retryAfterMs: number }> {
  const row = await sql<{ granted: number; available: number }>`
    with current as (
      select least(${burst}::float8, coalesce(
        (select tokens + extract(epoch from (clock_timestamp() - updated_at)) * ${perSecond}::float8 from rate_buckets where key = ${key} for update),
        ${burst}::float8)) as available
    ),
    upsert as (
      insert into rate_buckets (key, tokens, updated_at)
      select ${key}, available - least(${want}::float8, floor(available)), clock_timestamp() from current
      on conflict (key) do update set tokens = excluded.tokens, updated_at = excluded.updated_at
    )
    select least(${want}::float8, floor(available))::int as granted, available from current`.execute(db);
  const r = row.rows[0];
  const granted = Math.max(0, r?.granted ?? 0);
  const available = r?.available ?? 0;
  return { granted, left: Math.max(0, available - granted), retryAfterMs: granted > 0 ? 0 : Math.ceil(((1 - available) / perSecond) * 1000) };
}

/**
 * Counts `n` recipients against the tenant's quota for today (UTC) unless that would pass
 * it. Returns false when the quota is spent; nothing is counted then.
 */
export async function consumeQuota(db: DbOrTx, tenantId: string, n: number, quota: number): Promise<boolean> {
  if (n > quota) return false;
  const r = await sql<{ recipients: number }>`
    insert into tenant_usage (tenant_id, day, recipients) values (${tenantId}, (now() at time zone 'utc')::date, ${n})
    on conflict (tenant_id, day) do update set recipients = tenant_usage.recipients + excluded.recipients
      where tenant_usage.recipients + excluded.recipients <= ${quota}
    returning recipients`.execute(db);
  return r.rows.length > 0;
}
