import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).
//
// The ledger (deliveries), the activity log (delivery_log) and the analytics events
// (delivery_events) are partitioned by month: the ledger and the log by the month their
// notification was created (every row of one notification in one partition), the events by
// the month they happened. A month of all three is dropped at once when it is past every
// tenant's retention; shorter retentions are deleted row by row in bounded batches.

const PARTITIONED = ['deliveries', 'delivery_log', 'delivery_events'] as const;
/** Months created here, from the current one; the storage maintenance job keeps creating them ahead. */
const MONTHS_AT_START = 4;

export async function up(db: Kysely<any>): Promise<void> {
  // Days a tenant's deliveries, log and events are kept (the API documents the range).
  await db.schema.alterTable('tenants').addColumn('retention_days', 'integer', (c) => c.notNull().defaultTo(180)).execute();
  // Set when the notification's deliveries, log and events were deleted for retention.
  await db.schema.alterTable('notifications').addColumn('purged_at', 'timestamptz').execute();
  // Per-tenant retention deletes a tenant's oldest rows first.
  await db.schema.createIndex('deliveries_tenant_month_idx').on('deliveries').columns(['tenant_id', 'notification_created_at']).execute();
  await db.schema.createIndex('delivery_log_tenant_month_idx').on('delivery_log').columns(['tenant_id', 'notification_created_at']).execute();
  await db.schema.createIndex('notifications_tenant_unpurged_idx').on('notifications').columns(['tenant_id', 'created_at']).where(sql.ref('purged_at'), 'is', null).execute();

  // One month's partition of `parent` ([month, month + 1) in UTC), named <parent>_pYYYYMM.
  // Rows that went to the default partition for want of it are moved into it first, so a
  // late partition is still created (attaching would fail with them left behind). Returns
  // how many rows were moved; null when the partition already existed.
  await sql`
    create function herald_create_month_partition(parent regclass, month date) returns bigint
    language plpgsql as $$
    declare
      part text := parent::text || '_p' || to_char(month, 'YYYYMM');
      dflt text := parent::text || '_default';
      lo timestamptz := date_trunc('month', month)::timestamp at time zone 'UTC';
      hi timestamptz := (date_trunc('month', month) + interval '1 month')::timestamp at time zone 'UTC';
      key text;
      moved bigint := 0;
    begin
      if to_regclass(part) is not null then
        return null;
      end if;
      select a.attname into key
        from pg_partitioned_table p join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0]
        where p.partrelid = parent;
      execute format('create table %I (like %s including defaults including constraints)', part, parent);
      if to_regclass(dflt) is not null then
        execute format('with gone as (delete from %I where %I >= $1 and %I < $2 returning *) insert into %I select * from gone', dflt, key, key, part)
          using lo, hi;
        get diagnostics moved = row_count;
      end if;
      execute format('alter table %s attach partition %I for values from (%L) to (%L)', parent, part, lo, hi);
      return moved;
    end $$`.execute(db);

  for (const table of PARTITIONED) {
    // Catches a row whose month has no partition yet (the maintenance job was off), so a
    // delivery is never refused for it; the job reports the rows held here and moves them
    // into their month's partition when it creates it.
    await sql`create table ${sql.id(`${table}_default`)} partition of ${sql.table(table)} default`.execute(db);
    await sql`
      select herald_create_month_partition(${table}::regclass, (date_trunc('month', now() at time zone 'UTC') + make_interval(months => m))::date)
      from generate_series(0, ${MONTHS_AT_START - 1}) as m`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  // The partitions go with their tables (the earlier migrations' down).
  await sql`drop function if exists herald_create_month_partition(regclass, date)`.execute(db);
  await sql`drop index if exists notifications_tenant_unpurged_idx`.execute(db);
  await sql`drop index if exists delivery_log_tenant_month_idx`.execute(db);
  await sql`drop index if exists deliveries_tenant_month_idx`.execute(db);
  await db.schema.alterTable('notifications').dropColumn('purged_at').execute();
  await db.schema.alterTable('tenants').dropColumn('retention_days').execute();
}
