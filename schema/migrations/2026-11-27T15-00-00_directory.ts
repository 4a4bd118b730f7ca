import { sql, type Kysely } from 'kysely';

// Directory integration: users and groups provisioned by an identity provider (SCIM) or
// synchronised from LDAP / Active Directory carry their source, so the normal API can refuse
// to edit them; a deactivated user keeps the row (and its delivery history) and is suppressed.
// One LDAP config per tenant, its syncs, the entries a sync staged, and what each sync changed.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('api'))
    .addColumn('external_id', 'text')
    .addColumn('user_name', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('deactivated_reason', 'text')
    // What the directory said that has no column of its own (SCIM name parts, all emails, the LDAP DN):
    // kept so a SCIM GET returns what the identity provider wrote.
    .addColumn('directory_data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  // SCIM userName is unique and case-insensitive (RFC 7643 §4.1.1) among the users SCIM manages.
  await sql`create unique index users_scim_user_name_uq on users (tenant_id, lower(user_name)) where source = 'scim'`.execute(db);
  await sql`create index users_source_external_idx on users (tenant_id, source, external_id)`.execute(db);

  await db.schema
    .alterTable('groups')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('api'))
    .addColumn('external_id', 'text')
    .execute();
  await sql`create index groups_source_external_idx on groups (tenant_id, source, external_id)`.execute(db);

  await db.schema
    .createTable('directory_configs')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('bind_dn', 'text', (c) => c.notNull())
    .addColumn('bind_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('schedule', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('directory_syncs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('pages_applied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('report', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('directory_syncs_tenant_idx').on('directory_syncs').columns(['tenant_id', 'id']).execute();

  // What one sync read from the directory, so applying it can proceed (and resume) page by page
  // without holding the directory in a workflow's memory or history. Dropped when the sync ends.
  await db.schema
    .createTable('directory_sync_entries')
    .addColumn('sync_id', 'text', (c) => c.notNull().references('directory_syncs.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('dn', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_sync_entries_pk', ['sync_id', 'kind', 'key'])
    .execute();

  // `key` makes recording a change idempotent: a page applied again after a crash finds the same
  // key and records nothing twice.
  await db.schema
    .createTable('directory_sync_changes')
    .addColumn('sync_id', 'text', (c) => c.notNull().references('directory_syncs.id').onDelete('cascade'))
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('group_id', 'text')
    .addColumn('detail', 'jsonb')
    .addPrimaryKeyConstraint('directory_sync_changes_pk', ['sync_id', 'key'])
    .execute();
  await db.schema.createIndex('directory_sync_changes_seq_idx').on('directory_sync_changes').columns(['sync_id', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['directory_sync_changes', 'directory_sync_entries', 'directory_syncs', 'directory_configs']) await db.schema.dropTable(t).ifExists().execute();
  await sql`drop index if exists groups_source_external_idx`.execute(db);
  await db.schema.alterTable('groups').dropColumn('source').dropColumn('external_id').execute();
  await sql`drop index if exists users_source_external_idx`.execute(db);
  await sql`drop index if exists users_scim_user_name_uq`.execute(db);
  await db.schema.alterTable('users').dropColumn('source').dropColumn('external_id').dropColumn('user_name').dropColumn('active').dropColumn('deactivated_reason').dropColumn('directory_data').execute();
}
