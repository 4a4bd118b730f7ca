import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // What a directory sent that Herald cannot use (a locale that is no BCP 47 tag, a time zone
  // that is no IANA name): the value stays as sent in directory_data, is not used, and the
  // reason is kept here for the user's read.
  await db.schema
    .alterTable('users')
    .addColumn('profile_warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('profile_warnings').execute();
}
