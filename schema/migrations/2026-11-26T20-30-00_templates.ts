import { sql, type Kysely } from 'kysely';

// Tenant-wide pieces that templates refer to by key: email layouts (wrap a rendered html
// body) and partials. One table because they share everything but their kind. Written
// against Kysely<any> so it never depends on application code.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('template_assets')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('layout', 'partial')`))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('template_assets_pk', ['tenant_id', 'kind', 'key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('template_assets').ifExists().execute();
}
