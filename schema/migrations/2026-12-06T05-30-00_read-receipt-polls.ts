import { sql, type Kysely } from 'kysely';

// Providers that report read state only when asked (DingTalk work notices' getsendresult):
// when each sent message is asked about next, how often it was, and whether its answer is final.
// A row is claimed by moving next_poll_at ahead, so two workers never ask about it at once.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('read_receipt_polls')
    .addColumn('delivery_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('polls', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_poll_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('read_receipt_polls_due').on('read_receipt_polls').columns(['next_poll_at']).where(sql.ref('finished_at'), 'is', null).execute();
  // Rows past the polling window are deleted by age.
  await db.schema.createIndex('read_receipt_polls_created').on('read_receipt_polls').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('read_receipt_polls').execute();
}
