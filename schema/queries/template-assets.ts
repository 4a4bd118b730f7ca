import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewTemplateAsset, TemplateAssetKind, TemplateAssetRow } from '../tables/template-assets.js';

export async function upsertTemplateAsset(db: DbOrTx, a: NewTemplateAsset): Promise<{ row: TemplateAssetRow; created: boolean }> {
  const row = await db
    .insertInto('template_assets')
    .values(a)
    .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'key']).doUpdateSet((eb) => ({ source: eb.ref('excluded.source'), updated_at: new Date() })))
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  const { inserted, ...rest } = row;
  return { row: rest, created: inserted };
}

export async function findTemplateAsset(db: DbOrTx, tenantId: string, kind: TemplateAssetKind, key: string): Promise<TemplateAssetRow | undefined> {
  return db
    .selectFrom('template_assets')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('key', '=', key)
    .executeTakeFirst();
}

/** key → source for the given keys of one kind; keys that do not exist are simply absent. */
export async function findTemplateAssets(db: DbOrTx, tenantId: string, kind: TemplateAssetKind, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('template_assets')
    .select(['key', 'source'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('key', 'in', keys)
    .execute();
  return new Map(rows.map((r) => [r.key, r.source]));
}
