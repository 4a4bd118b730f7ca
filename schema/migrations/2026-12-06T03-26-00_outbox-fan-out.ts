import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // Webhook fan-out is a consumer of its own: an analytics store that is down must not hold
  // webhooks back, nor the reverse. A row is pruned once both are done with it.
  await db.schema.alterTable('event_outbox').addColumn('fanned_out_at', 'timestamptz').execute();
  await sql`create index event_outbox_unfanned_idx on event_outbox (seq) where fanned_out_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists event_outbox_unfanned_idx`.execute(db);
  await db.schema.alterTable('event_outbox').dropColumn('fanned_out_at').execute();
}
