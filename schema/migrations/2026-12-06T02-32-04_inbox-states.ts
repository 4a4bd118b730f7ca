import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('inbox_messages')
    // The notification's category, copied so the inbox groups and counts without a join.
    .addColumn('category', 'text')
    .addColumn('seen_at', 'timestamptz')
    .addColumn('archived_at', 'timestamptz')
    // Rendered per recipient: [{id, label, url?}]; an action without a url is a callback.
    .addColumn('actions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await db.schema.createIndex('inbox_user_category_idx').on('inbox_messages').columns(['tenant_id', 'user_id', 'category']).execute();
  // The HS256 keys inbox tokens are signed with, per tenant; the key id is the JWS `kid`.
  await db.schema
    .createTable('inbox_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('inbox_signing_keys_tenant_idx').on('inbox_signing_keys').columns(['tenant_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbox_signing_keys').ifExists().execute();
  await db.schema.dropIndex('inbox_user_category_idx').ifExists().execute();
  await db.schema.alterTable('inbox_messages').dropColumn('actions').dropColumn('archived_at').dropColumn('seen_at').dropColumn('category').execute();
}
