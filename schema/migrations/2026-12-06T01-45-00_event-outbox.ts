import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // Events leave Herald from here: written in the transaction of the change they describe,
  // shipped by the relay (analytics store, webhook endpoints), then pruned.
  await db.schema
    .createTable('event_outbox')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('shipped_at', 'timestamptz')
    .execute();
  // The relay reads the unshipped head in order; the pruner the shipped tail by age.
  await sql`create index event_outbox_unshipped_idx on event_outbox (seq) where shipped_at is null`.execute(db);
  await sql`create index event_outbox_shipped_idx on event_outbox (shipped_at) where shipped_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('event_outbox').ifExists().execute();
}
