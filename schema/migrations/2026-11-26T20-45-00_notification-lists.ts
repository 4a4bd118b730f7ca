import { sql, type Kysely } from 'kysely';

// Deleting a finished notification hides it from lists; the row (and the audit log) stay.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('deleted_at', 'timestamptz').execute();
  // Lists filter by tenant and walk ids newest first; userId filters look inside the audience.
  await db.schema.createIndex('notifications_status_idx').on('notifications').columns(['tenant_id', 'status', 'id']).execute();
  await sql`create index notifications_audience_gin on notifications using gin ((audience -> 'userIds') jsonb_path_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists notifications_audience_gin`.execute(db);
  await db.schema.dropIndex('notifications_status_idx').ifExists().execute();
  await db.schema.alterTable('notifications').dropColumn('deleted_at').execute();
}
