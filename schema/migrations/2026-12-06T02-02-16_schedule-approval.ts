import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // A recurring bulk send is approved once per version of what it sends: editing the
  // notification bumps `version`, and an approval covers the version it names.
  await db.schema
    .alterTable('schedules')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('approved_version', 'integer')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .execute();
  // Which schedule version a firing's notification was made from, so approving it approves that version.
  await db.schema
    .createTable('schedule_firings')
    .addColumn('notification_id', 'text', (c) => c.primaryKey().references('notifications.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('schedule_id', 'text', (c) => c.notNull())
    .addColumn('schedule_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('schedule_firings_schedule_fk', ['tenant_id', 'schedule_id'], 'schedules', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('schedule_firings').execute();
  await db.schema.alterTable('schedules').dropColumn('version').dropColumn('approved_version').dropColumn('approved_by').dropColumn('approved_at').execute();
}
