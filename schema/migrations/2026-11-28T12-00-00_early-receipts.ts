import { sql, type Kysely } from 'kysely';

// A provider may report a message delivered before Herald has written down the provider's
// message id (Twilio's callback can come within milliseconds). Such a receipt waits here
// and is applied when the send is recorded, instead of being lost.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('early_receipts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('error_code', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('early_receipts_pk', ['tenant_id', 'provider', 'provider_message_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('early_receipts').execute();
}
