import type { Kysely } from 'kysely';

// An endpoint that is failing is probed with one delivery at a time: `probe_at` is when the next
// probe may go, after `probe_failures` failed probes in a row (the retry schedule's step); until
// then none of its deliveries are leased, so an endpoint that is down costs one attempt per
// backoff step, not one per event, and its events wait (unspent) until it answers again.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('webhook_endpoints')
    .addColumn('probe_at', 'timestamptz')
    .addColumn('probe_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_endpoints').dropColumn('probe_at').dropColumn('probe_failures').execute();
}
