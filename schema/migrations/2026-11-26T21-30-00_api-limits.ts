import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Token buckets shared by every API process (per-key request rates).
  await db.schema
    .createTable('rate_buckets')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('tokens', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
  await db.schema.alterTable('api_keys').addColumn('rate_per_second', 'double precision').addColumn('rate_burst', 'integer').execute();
  // Recipients a tenant may send to per UTC day (null: no quota), and what it has used.
  await db.schema.alterTable('tenants').addColumn('daily_quota', 'integer').execute();
  await db.schema
    .createTable('tenant_usage')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('recipients', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('tenant_usage_pk', ['tenant_id', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tenant_usage').ifExists().execute();
  await db.schema.alterTable('tenants').dropColumn('daily_quota').execute();
  await db.schema.alterTable('api_keys').dropColumn('rate_per_second').dropColumn('rate_burst').execute();
  await db.schema.dropTable('rate_buckets').ifExists().execute();
}
