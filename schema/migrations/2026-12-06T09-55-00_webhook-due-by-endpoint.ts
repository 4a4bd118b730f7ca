import { sql, type Kysely } from 'kysely';

// Due webhook deliveries are found per endpoint: the claim takes each eligible endpoint's oldest
// due rows through this index, so the backlog of an endpoint that waits for its probe (or is
// disabled) is never walked. The global due index it replaces made every dispatcher pass walk
// every pending row and drop the waiting endpoints' in the join.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index webhook_deliveries_endpoint_due_idx on webhook_deliveries (endpoint_id, next_attempt_at) where status = 'pending'`.execute(db);
  await sql`drop index if exists webhook_deliveries_due_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(db);
  await sql`drop index if exists webhook_deliveries_endpoint_due_idx`.execute(db);
}
