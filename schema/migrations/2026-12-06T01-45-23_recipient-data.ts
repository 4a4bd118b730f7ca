import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // Per-recipient data of a notification (`to.recipients[].data`): kept here rather than in
  // the workflow's input, so a list of a thousand recipients does not weigh on its history,
  // and a retried delivery renders from the same stored row.
  await db.schema
    .createTable('notification_recipients')
    .addColumn('notification_id', 'text', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_recipients_pk', ['notification_id', 'user_id'])
    .execute();
  // Deliveries read the table only for notifications that have rows in it.
  await db.schema.alterTable('notifications').addColumn('has_recipient_data', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  // An inline recipient given by address only is matched to the user who already has it.
  await sql`create index users_email_idx on users (tenant_id, email) where email is not null`.execute(db);
  await sql`create index users_phone_idx on users (tenant_id, phone) where phone is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists users_phone_idx`.execute(db);
  await sql`drop index if exists users_email_idx`.execute(db);
  await db.schema.alterTable('notifications').dropColumn('has_recipient_data').execute();
  await db.schema.dropTable('notification_recipients').ifExists().execute();
}
