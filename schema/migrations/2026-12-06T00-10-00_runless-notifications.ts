import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).

export async function up(db: Kysely<any>): Promise<void> {
  // The sweeper of notifications whose run was never started (the API stopped between the
  // insert and the start) looks only at rows without a run id that have not started: few.
  await sql`create index notifications_runless_idx on notifications (created_at) where workflow_run_id is null and status in ('scheduled', 'pending_approval')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists notifications_runless_idx`.execute(db);
}
