import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // What an email notification carries beyond its template: reply-to, cc, bcc. Kept beside
  // the notification (not in its workflow input), read by each delivery.
  await db.schema
    .createTable('notification_email')
    .addColumn('notification_id', 'text', (c) => c.primaryKey().references('notifications.id').onDelete('cascade'))
    .addColumn('reply_to', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('cc', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('bcc', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
  // Attachments and inline images: bytes given in the request are stored at once; a URL's
  // bytes are fetched by the first delivery and stored, so every recipient gets the same file.
  await db.schema
    .createTable('notification_attachments')
    .addColumn('notification_id', 'text', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('content_id', 'text')
    .addColumn('url', 'text')
    .addColumn('content', 'bytea')
    .addPrimaryKeyConstraint('notification_attachments_pk', ['notification_id', 'position'])
    .execute();
  await db.schema
    .alterTable('tenants')
    .addColumn('max_attachment_bytes', 'integer', (c) => c.notNull().defaultTo(10 * 1024 * 1024))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tenants').dropColumn('max_attachment_bytes').execute();
  await db.schema.dropTable('notification_attachments').execute();
  await db.schema.dropTable('notification_email').execute();
}
