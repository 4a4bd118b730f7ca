import { sql, type Kysely } from 'kysely';

// A tenant can keep recipients named inline in a send (`to.recipients`) out of its directory:
// their users row still exists (preferences, unsubscribes and frequency caps hang off it) but
// carries `ephemeral_until`, which keeps it out of listings and bulk selectors until the
// storage maintenance deletes it. A PUT of the same id makes it a directory user (null).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tenants')
    .addColumn('inline_recipients', 'text', (c) => c.notNull().defaultTo('directory').check(sql`inline_recipients in ('directory', 'ephemeral')`))
    .addColumn('ephemeral_recipient_seconds', 'integer', (c) => c.notNull().defaultTo(30 * 86_400))
    .execute();
  await db.schema.alterTable('users').addColumn('ephemeral_until', 'timestamptz').execute();
  // The sweep finds the expired ones without scanning the directory.
  await db.schema.createIndex('users_ephemeral_until_idx').on('users').column('ephemeral_until').where(sql.ref('ephemeral_until'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_ephemeral_until_idx').ifExists().execute();
  await db.schema.alterTable('users').dropColumn('ephemeral_until').execute();
  await db.schema.alterTable('tenants').dropColumn('inline_recipients').dropColumn('ephemeral_recipient_seconds').execute();
}
