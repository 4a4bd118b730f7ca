import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // The delivery log (GET /v1/deliveries, /v1/users/{id}/deliveries) pages newest first
  // within a tenant, by user, by address (case-insensitive) or by time.
  await db.schema.createIndex('deliveries_tenant_id_idx').on('deliveries').columns(['tenant_id', 'id']).execute();
  await db.schema.createIndex('deliveries_tenant_user_idx').on('deliveries').columns(['tenant_id', 'user_id', 'id']).execute();
  await sql`create index deliveries_tenant_address_idx on deliveries (tenant_id, lower(address), id)`.execute(db);
  await db.schema.createIndex('deliveries_tenant_created_idx').on('deliveries').columns(['tenant_id', 'created_at']).execute();
  // The notification list's group and module filters match the audience's selectors.
  await sql`create index notifications_audience_groups_gin on notifications using gin ((audience -> 'groups') jsonb_path_ops)`.execute(db);
  await sql`create index notifications_audience_modules_gin on notifications using gin ((audience -> 'modules') jsonb_path_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists notifications_audience_modules_gin`.execute(db);
  await sql`drop index if exists notifications_audience_groups_gin`.execute(db);
  await db.schema.dropIndex('deliveries_tenant_created_idx').ifExists().execute();
  await sql`drop index if exists deliveries_tenant_address_idx`.execute(db);
  await db.schema.dropIndex('deliveries_tenant_user_idx').ifExists().execute();
  await db.schema.dropIndex('deliveries_tenant_id_idx').ifExists().execute();
}
