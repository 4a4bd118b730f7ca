import { sql, type Kysely } from 'kysely';

// Bounce processing: an address a receiving server refused for good (a hard bounce) is not
// mailed again by the tenant. Keyed by the address, not the user: a user who changes to a
// working address is reachable again, and two users sharing a dead address are both held.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_suppressions')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    // Lower-cased, as users' addresses are.
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // The DSN's Status (5.1.1) and Diagnostic-Code: what the receiving server said.
    .addColumn('status_code', 'text')
    .addColumn('diagnostic', 'text')
    .addColumn('delivery_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('email_suppressions_pk', ['tenant_id', 'address'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_suppressions').execute();
}
