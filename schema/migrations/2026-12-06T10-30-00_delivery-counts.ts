import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and never importing application code (see the foundation
// migration for why).
//
// A notification's delivery counts are read on every GET of it and for every row of a list
// page; counting its ledger rows made that O(recipients). PostgreSQL keeps them here instead,
// by statement triggers on the ledger, so no write path (there are many) can forget them: per
// statement, the rows it inserted, changed or deleted are summed per notification, and each
// notification's row is written once, in notification id order (concurrent statements lock
// the rows they share in the same order, so they wait for each other instead of deadlocking).
// A change the counts cannot see (pending to sending, a retry back to pending, a column other
// than the status) writes nothing.
//
// What the triggers do not see: DML or TRUNCATE aimed at a partition instead of `deliveries`
// (only herald_create_month_partition does that, moving rows of one notification as a whole,
// which changes no count), and a dropped partition (storage maintenance deletes the counts of
// that month's notifications in the same transaction: schema/queries/storage.ts).

/** The counts a notification answers with (DeliveryCounts), and the delivery statuses each adds up; `total` counts every row. */
const BUCKETS: Record<string, readonly string[]> = {
  pending: ['pending', 'sending'],
  sent: ['sent'],
  delivered: ['delivered'],
  failed: ['failed'],
  bounced: ['bounced'],
  suppressed: ['suppressed'],
  expired: ['expired'],
  recalled: ['recalled'],
};
const COLUMNS = ['total', ...Object.keys(BUCKETS)];
const list = (xs: readonly string[]) => xs.join(', ');

/** Per notification, the sum of `k` over rows (notification_id, notification_created_at, status, k), into each column. */
function perNotification(rows: string): string {
  const buckets = Object.entries(BUCKETS).map(([column, statuses]) => `sum(case when status in (${list(statuses.map((s) => `'${s}'`))}) then k else 0 end) as ${column}`);
  return `select notification_id, min(notification_created_at) as notification_created_at,
        ${['sum(k) as total', ...buckets].join(',\n        ')}
      from ${rows}
      group by notification_id`;
}

/** Adds the changes to the counts rows, inserting the ones missing, in notification id order. */
function upsert(changes: string): string {
  return `insert into notification_delivery_counts as c (notification_id, notification_created_at, ${list(COLUMNS)})
    select * from (${changes}) d
    where (${list(COLUMNS.map((col) => `d.${col}`))}) <> (${list(COLUMNS.map(() => '0'))})
    order by notification_id
    on conflict (notification_id) do update set ${list(COLUMNS.map((col) => `${col} = c.${col} + excluded.${col}`))}`;
}

const ROWS_INSERTED = `(select notification_id, notification_created_at, status, 1 as k from new_deliveries) r`;
const ROWS_DELETED = `(select notification_id, notification_created_at, status, -1 as k from old_deliveries) r`;
// A row whose status did not change adds +1 and -1 to the same column: no change.
const ROWS_UPDATED = `(select notification_id, notification_created_at, status, 1 as k from new_deliveries
  union all select notification_id, notification_created_at, status, -1 as k from old_deliveries) r`;

const FUNCTION = `
create function herald_count_deliveries() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    ${upsert(perNotification(ROWS_INSERTED))};
  elsif tg_op = 'UPDATE' then
    ${upsert(perNotification(ROWS_UPDATED))};
  elsif tg_op = 'DELETE' then
    -- Only existing rows are updated: when the notification itself is deleted, its ledger
    -- rows go by cascade, and a counts row inserted for it would break the foreign key.
    perform 1 from notification_delivery_counts
      where notification_id in (select notification_id from old_deliveries)
      order by notification_id for update;
    update notification_delivery_counts as c set ${list(COLUMNS.map((col) => `${col} = c.${col} + d.${col}`))}
      from (${perNotification(ROWS_DELETED)}) d
      where c.notification_id = d.notification_id;
  else
    -- TRUNCATE deliveries: every row is gone.
    delete from notification_delivery_counts;
  end if;
  return null;
end $$`;

export async function up(db: Kysely<any>): Promise<void> {
  let table = db.schema
    .createTable('notification_delivery_counts')
    .addColumn('notification_id', 'text', (c) => c.primaryKey().references('notifications.id').onDelete('cascade'))
    // The ledger's partition key: a month partition dropped takes its notifications' counts along.
    .addColumn('notification_created_at', 'timestamptz', (c) => c.notNull());
  for (const column of COLUMNS) table = table.addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0));
  await table.execute();
  await db.schema.createIndex('notification_delivery_counts_month_idx').on('notification_delivery_counts').column('notification_created_at').execute();

  await sql.raw(FUNCTION).execute(db);
  // No writer may slip between the triggers and the backfill (the migration is one transaction).
  await sql`lock table deliveries in share row exclusive mode`.execute(db);
  await sql`create trigger deliveries_count_inserted after insert on deliveries referencing new table as new_deliveries for each statement execute function herald_count_deliveries()`.execute(db);
  await sql`create trigger deliveries_count_updated after update on deliveries referencing old table as old_deliveries new table as new_deliveries for each statement execute function herald_count_deliveries()`.execute(db);
  await sql`create trigger deliveries_count_deleted after delete on deliveries referencing old table as old_deliveries for each statement execute function herald_count_deliveries()`.execute(db);
  await sql`create trigger deliveries_count_truncated after truncate on deliveries for each statement execute function herald_count_deliveries()`.execute(db);
  await sql
    .raw(
      `insert into notification_delivery_counts (notification_id, notification_created_at, ${list(COLUMNS)})
       ${perNotification('(select notification_id, notification_created_at, status, 1 as k from deliveries) r')}`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of ['deliveries_count_inserted', 'deliveries_count_updated', 'deliveries_count_deleted', 'deliveries_count_truncated']) {
    await sql`drop trigger if exists ${sql.id(trigger)} on deliveries`.execute(db);
  }
  await sql`drop function if exists herald_count_deliveries()`.execute(db);
  await db.schema.dropTable('notification_delivery_counts').ifExists().execute();
}
