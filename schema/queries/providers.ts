import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewProvider, ProviderHealthRow, ProviderRow } from '../tables/providers.js';

export async function upsertProvider(db: DbOrTx, p: NewProvider): Promise<{ row: ProviderRow; created: boolean }> {
  const row = await db
    .insertInto('providers')
    .values(p)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
        channel: eb.ref('excluded.channel'),
        kind: eb.ref('excluded.kind'),
        config_sealed: eb.ref('excluded.config_sealed'),
        order: eb.ref('excluded.order'),
        rate_per_second: eb.ref('excluded.rate_per_second'),
        rate_burst: eb.ref('excluded.rate_burst'),
        enabled: eb.ref('excluded.enabled'),
        updated_at: new Date(),
      })),
    )
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  const { inserted, ...rest } = row;
  return { row: rest, created: inserted };
}

export async function findProvider(db: DbOrTx, tenantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<ProviderRow | undefined> {
  const q = db.selectFrom('providers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function listProviders(db: DbOrTx, tenantId: string, opts: { channel?: string; enabledOnly?: boolean } = {}): Promise<ProviderRow[]> {
  let q = db.selectFrom('providers').selectAll().where('tenant_id', '=', tenantId).orderBy('channel').orderBy('order').orderBy('id');
  if (opts.channel) q = q.where('channel', '=', opts.channel);
  if (opts.enabledOnly) q = q.where('enabled', '=', true);
  return q.execute();
}

export async function deleteProvider(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('providers').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listProviderHealth(db: DbOrTx, tenantId: string): Promise<ProviderHealthRow[]> {
  return db.selectFrom('provider_health').selectAll().where('tenant_id', '=', tenantId).execute();
}

async function ensureHealthRow(db: DbOrTx, tenantId: string, providerId: string): Promise<void> {
  await db
    .insertInto('provider_health')
    .values({ tenant_id: tenantId, provider_id: providerId })
    .onConflict((oc) => oc.columns(['tenant_id', 'provider_id']).doNothing())
    .execute();
}

/**
 * Whether a send may go to this provider now. An open circuit lets exactly one caller
 * through (it becomes half-open) once `openMs` has passed; that probe's outcome closes or
 * re-opens it.
 */
export async function circuitAllows(db: DbOrTx, tenantId: string, providerId: string, openMs: number): Promise<boolean> {
  await ensureHealthRow(db, tenantId, providerId);
  const probe = await db
    .updateTable('provider_health')
    .set({ state: 'half_open', opened_at: new Date(), updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('provider_id', '=', providerId)
    .where('state', 'in', ['open', 'half_open'])
    .where('opened_at', '<', new Date(Date.now() - openMs))
    .returning('state')
    .executeTakeFirst();
  if (probe) return true;
  const row = await db
    .selectFrom('provider_health')
    .select('state')
    .where('tenant_id', '=', tenantId)
    .where('provider_id', '=', providerId)
    .executeTakeFirst();
  return row?.state === 'closed';
}

export async function recordProviderSuccess(db: DbOrTx, tenantId: string, providerId: string): Promise<void> {
  await db
    .updateTable('provider_health')
    .set({ state: 'closed', consecutive_failures: 0, opened_at: null, last_error: null, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('provider_id', '=', providerId)
    .where((eb) => eb.or([eb('state', '!=', 'closed'), eb('consecutive_failures', '>', 0)]))
    .execute();
}

/** Counts a failure; at `threshold` consecutive failures (or a failed probe) the circuit opens. */
export async function recordProviderFailure(db: DbOrTx, tenantId: string, providerId: string, error: string, threshold: number): Promise<void> {
  await ensureHealthRow(db, tenantId, providerId);
  await db
    .updateTable('provider_health')
    .set((eb) => ({
      consecutive_failures: eb('consecutive_failures', '+', 1),
      last_error: error.slice(0, 500),
      state: sql<string>`case when state = 'half_open' or consecutive_failures + 1 >= ${threshold} then 'open' else state end`,
      opened_at: sql<Date>`case when state = 'half_open' or (state = 'closed' and consecutive_failures + 1 >= ${threshold}) then now() else opened_at end`,
      updated_at: new Date(),
    }))
    .where('tenant_id', '=', tenantId)
    .where('provider_id', '=', providerId)
    .execute();
}

/**
 * Takes one token from the provider's bucket, shared by every worker process through this
 * row. Returns 0 when a token was taken, else the milliseconds until one will be there.
 */
export async function takeProviderToken(db: DbOrTx, tenantId: string, providerId: string, perSecond: number, burst: number): Promise<number> {
  await ensureHealthRow(db, tenantId, providerId);
  const refill = sql<number>`least(${burst}::float8, coalesce(tokens, ${burst}::float8) + extract(epoch from (clock_timestamp() - coalesce(tokens_at, clock_timestamp()))) * ${perSecond}::float8)`;
  const taken = await db
    .updateTable('provider_health')
    .set({ tokens: sql<number>`${refill} - 1`, tokens_at: sql<Date>`clock_timestamp()` })
    .where('tenant_id', '=', tenantId)
    .where('provider_id', '=', providerId)
    .where(sql<boolean>`${refill} >= 1`)
    .returning('tokens')
    .executeTakeFirst();
  if (taken) return 0;
  const row = await db
    .selectFrom('provider_health')
    .select(refill.as('available'))
    .where('tenant_id', '=', tenantId)
    .where('provider_id', '=', providerId)
    .executeTakeFirst();
  const missing = 1 - Number(row?.available ?? 0);
  return Math.max(1, Math.ceil((missing / perSecond) * 1000));
}

/** Enabled providers with this id in any tenant: receipts name only the provider id. */
export async function findProvidersById(db: DbOrTx, providerId: string): Promise<ProviderRow[]> {
  return db.selectFrom('providers').selectAll().where('id', '=', providerId).where('enabled', '=', true).execute();
}

/** Configured providers per circuit state, channel and kind (no health row yet: closed), for the circuit gauge. */
export async function countProviderCircuits(db: DbOrTx): Promise<{ channel: string; kind: string; state: string; count: number }[]> {
  const rows = await db
    .selectFrom('providers as p')
    .leftJoin('provider_health as h', (j) => j.onRef('h.tenant_id', '=', 'p.tenant_id').onRef('h.provider_id', '=', 'p.id'))
    .select((eb) => ['p.channel', 'p.kind', eb.fn.coalesce('h.state', sql<string>`'closed'`).as('state'), eb.fn.countAll<string>().as('count')])
    .groupBy(['p.channel', 'p.kind', 'state'])
    .execute();
  return rows.map((r) => ({ channel: r.channel, kind: r.kind, state: r.state, count: Number(r.count) }));
}
