import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewTemplate, TemplateContent, TemplateRow, TemplateVersionRow } from '../tables/templates.js';

export async function upsertTemplateDraft(db: DbOrTx, t: NewTemplate): Promise<{ row: TemplateRow; created: boolean }> {
  const row = await db
    .insertInto('templates')
    .values(t)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'key']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        category: eb.ref('excluded.category'),
        default_priority: eb.ref('excluded.default_priority'),
        content: eb.ref('excluded.content'),
        updated_at: new Date(),
      })),
    )
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  const { inserted, ...rest } = row;
  return { row: rest, created: inserted };
}

export async function findTemplate(db: DbOrTx, tenantId: string, key: string): Promise<TemplateRow | undefined> {
  return db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
}

export async function findTemplateVersion(
  db: DbOrTx,
  tenantId: string,
  key: string,
  version: number,
): Promise<TemplateVersionRow | undefined> {
  return db
    .selectFrom('template_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .where('version', '=', version)
    .executeTakeFirst();
}

/** What a send needs from the catalogue: the version it renders and the tenant's send settings. */
export interface SendTemplate {
  version: TemplateVersionRow;
  bulkThreshold: number | null;
  dailyQuota: number | null;
}

/**
 * The version a send renders (the pinned one, else the published one) with the tenant's bulk
 * threshold and daily quota, in one round trip: the API's hot path pays a statement per row it
 * reads. Undefined when the template, its published version or the pinned version is missing.
 */
export async function findSendTemplate(db: DbOrTx, tenantId: string, key: string, pinned: number | undefined): Promise<SendTemplate | undefined> {
  const row = await db
    .selectFrom('template_versions as v')
    .innerJoin('templates as t', (j) => j.onRef('t.tenant_id', '=', 'v.tenant_id').onRef('t.key', '=', 'v.key'))
    .leftJoin('tenants as tn', 'tn.id', 'v.tenant_id')
    .selectAll('v')
    .select(['tn.bulk_threshold', 'tn.daily_quota'])
    .where('v.tenant_id', '=', tenantId)
    .where('v.key', '=', key)
    .where((eb) => (pinned === undefined ? eb('v.version', '=', eb.ref('t.published_version')) : eb('v.version', '=', pinned)))
    .executeTakeFirst();
  if (!row) return undefined;
  const { bulk_threshold, daily_quota, ...version } = row;
  return { version, bulkThreshold: bulk_threshold, dailyQuota: daily_quota };
}

/** Locks the template row for the rest of the transaction: publishers and rollbacks of one key take turns. */
export async function lockTemplate(db: DbOrTx, tenantId: string, key: string): Promise<TemplateRow | undefined> {
  return db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).forUpdate().executeTakeFirst();
}

/**
 * Inserts the next version number with the given content and makes it the published one.
 * Call inside a transaction after lockTemplate, so two publishers never pick the same number.
 */
export async function insertNextVersion(
  db: DbOrTx,
  tenantId: string,
  key: string,
  v: { content: TemplateContent; category: string | null; default_priority: string },
): Promise<TemplateVersionRow> {
  const latest = await db
    .selectFrom('template_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .executeTakeFirst();
  const version = (latest?.v ?? 0) + 1;
  const row = await db
    .insertInto('template_versions')
    .values({ tenant_id: tenantId, key, version, content: JSON.stringify(v.content), category: v.category, default_priority: v.default_priority })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db.updateTable('templates').set({ published_version: version }).where('tenant_id', '=', tenantId).where('key', '=', key).execute();
  return row;
}

/** Freezes the current draft as the next version number. */
export async function publishTemplate(db: DbOrTx, tenantId: string, key: string): Promise<TemplateVersionRow | undefined> {
  const draft = await lockTemplate(db, tenantId, key);
  if (!draft) return undefined;
  return insertNextVersion(db, tenantId, key, { content: draft.content, category: draft.category, default_priority: draft.default_priority });
}

/** Templates ordered by key; `after` is the last key of the previous page. */
export async function listTemplates(db: DbOrTx, tenantId: string, page: { limit: number; after?: string | undefined }): Promise<TemplateRow[]> {
  let q = db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId);
  if (page.after !== undefined) q = q.where('key', '>', page.after);
  return q.orderBy('key').limit(page.limit).execute();
}

/** Versions newest first; `before` is the last version number of the previous page. */
export async function listTemplateVersions(
  db: DbOrTx,
  tenantId: string,
  key: string,
  page: { limit: number; before?: number | undefined },
): Promise<TemplateVersionRow[]> {
  let q = db.selectFrom('template_versions').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key);
  if (page.before !== undefined) q = q.where('version', '<', page.before);
  return q.orderBy('version', 'desc').limit(page.limit).execute();
}

/** Deletes the template and (by cascade) its versions; notifications keep their recorded key and version. */
export async function deleteTemplate(db: DbOrTx, tenantId: string, key: string): Promise<boolean> {
  const r = await db.deleteFrom('templates').where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The distinct categories the tenant's templates declare (what a preference center offers). */
export async function listTemplateCategories(db: DbOrTx, tenantId: string): Promise<string[]> {
  const rows = await db.selectFrom('templates').select('category').distinct().where('tenant_id', '=', tenantId).where('category', 'is not', null).orderBy('category').limit(200).execute();
  return rows.flatMap((r) => (r.category === null ? [] : [r.category]));
}
