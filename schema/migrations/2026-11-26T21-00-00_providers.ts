import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('providers')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // AES-256-GCM sealed JSON; never stored or returned in clear.
    .addColumn('config_sealed', 'text', (c) => c.notNull())
    .addColumn('order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_per_second', 'double precision')
    .addColumn('rate_burst', 'integer')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('providers_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('providers_channel_idx').on('providers').columns(['tenant_id', 'channel', 'order']).execute();

  // Shared by every worker process: one circuit and one token bucket per provider.
  await db.schema
    .createTable('provider_health')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('closed'))
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('opened_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('tokens', 'double precision')
    .addColumn('tokens_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('provider_health_pk', ['tenant_id', 'provider_id'])
    .addForeignKeyConstraint('provider_health_provider_fk', ['tenant_id', 'provider_id'], 'providers', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('provider_health').ifExists().execute();
  await db.schema.dropTable('providers').ifExists().execute();
}
