import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewTemplate, TemplateRow, TemplateVersionRow } from '../tables/templates.js';

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

/** Freezes the current draft as the next version number; the row lock serialises publishers. */
export async function publishTemplate(db: DbOrTx, tenantId: string, key: string): Promise<TemplateVersionRow | undefined> {
  const draft = await db
    .selectFrom('templates')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst();
  if (!draft) return undefined;
  const latest = await db
    .selectFrom('template_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .executeTakeFirst();
  const version = (latest?.v ?? 0) + 1;
  const row = await db
    .insertInto('template_versions')
    .values({
      tenant_id: tenantId,
      key,
      version,
      content: JSON.stringify(draft.content),
      category: draft.category,
      default_priority: draft.default_priority,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db.updateTable('templates').set({ published_version: version }).where('tenant_id', '=', tenantId).where('key', '=', key).execute();
  return row;
}
