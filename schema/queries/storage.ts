// Monthly partitions of the ledger, the log and the events, and the deletes retention makes.
// Partitions are created by the SQL function herald_create_month_partition (the
// storage-retention migration), the one place that names and bounds them.
import { sql } from 'kysely';
import { inTransaction, type Db, type DbOrTx } from '../database.js';

/** The partitioned tables, each with its partition key and the key of one row. */
export const PARTITIONED_TABLES = {
  deliveries: { key: 'notification_created_at', rowKey: ['id', 'notification_created_at'] },
  delivery_log: { key: 'notification_created_at', rowKey: ['id', 'notification_created_at'] },
  delivery_events: { key: 'at', rowKey: ['event_id', 'at'] },
} as const;
export type PartitionedTable = keyof typeof PARTITIONED_TABLES;

export interface MonthPartition {
  name: string;
  /** First instant of the month (UTC). */
  month: Date;
}

const MONTH_PARTITION = /_p(\d{4})(\d{2})$/;

/** Creates the month's partition if missing; the rows it moved out of the default partition, or null when it existed. */
export async function createMonthPartition(db: DbOrTx, table: PartitionedTable, month: Date): Promise<number | null> {
  const day = month.toISOString().slice(0, 10);
  const r = await sql<{ moved: string | null }>`select herald_create_month_partition(${table}::regclass, ${day}::date) as moved`.execute(db);
  const moved = r.rows[0]?.moved;
  return moved === null || moved === undefined ? null : Number(moved);
}

/** The month partitions of a table, oldest first (the default partition is not one). */
export async function listMonthPartitions(db: DbOrTx, table: PartitionedTable): Promise<MonthPartition[]> {
  const r = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = ${table}::regclass order by c.relname`.execute(db);
  return r.rows.flatMap(({ name }) => {
    const m = MONTH_PARTITION.exec(name);
    return m && name === `${table}_p${m[1]}${m[2]}` ? [{ name, month: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) }] : [];
  });
}

/**
 * Drops one month partition (instant: no row is visited). A ledger month takes its
 * notifications' delivery counts along, in the same transaction: a dropped partition fires
 * none of the triggers that keep them.
 */
export async function dropMonthPartition(db: DbOrTx, table: PartitionedTable, p: MonthPartition): Promise<void> {
  if (p.name !== `${table}_p${p.month.toISOString().slice(0, 7).replace('-', '')}`) throw new Error(`not a month partition of ${table}: ${p.name}`);
  await inTransaction(db, async (tx) => {
    // First the partition: its lock waits for the ledger's writers, which hold the counts rows they changed.
    await sql`drop table ${sql.table(p.name)}`.execute(tx);
    if (table !== 'deliveries') return;
    const next = new Date(Date.UTC(p.month.getUTCFullYear(), p.month.getUTCMonth() + 1, 1));
    await tx.deleteFrom('notification_delivery_counts').where('notification_created_at', '>=', p.month).where('notification_created_at', '<', next).execute();
  });
}

/** Rows held by the default partition: rows whose month had no partition when written. */
export async function countDefaultPartitionRows(db: DbOrTx, table: PartitionedTable): Promise<number> {
  const r = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(`${table}_default`)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Deletes at most `limit` of the tenant's rows whose partition key is before `before`; how many went. */
export async function deleteTenantRowsBefore(db: DbOrTx, table: PartitionedTable, tenantId: string, before: Date, limit: number): Promise<number> {
  const { key, rowKey } = PARTITIONED_TABLES[table];
  const cols = sql.join(rowKey.map((c) => sql.ref(c)));
  const r = await sql`
    delete from ${sql.table(table)} where (${cols}) in (
      select ${cols} from ${sql.table(table)} where tenant_id = ${tenantId} and ${sql.ref(key)} < ${before} limit ${limit}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Marks at most `limit` of the tenant's notifications created before `before` purged; how many. */
export async function markNotificationsPurged(db: DbOrTx, tenantId: string, before: Date, at: Date, limit: number): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ purged_at: at })
    .where('id', 'in', (eb) =>
      eb.selectFrom('notifications').select('id').where('tenant_id', '=', tenantId).where('created_at', '<', before).where('purged_at', 'is', null).limit(limit),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Every tenant's retention in days. */
export async function listTenantRetention(db: DbOrTx): Promise<{ id: string; retention_days: number }[]> {
  return db.selectFrom('tenants').select(['id', 'retention_days']).orderBy('id').execute();
}

/**
 * Runs `fn` on one connection holding a session advisory lock, or returns undefined when
 * another process holds it: partition DDL and retention deletes run in one process at a time.
 */
export async function withStorageLock<T>(db: Db, fn: (conn: Db) => Promise<T>): Promise<T | undefined> {
  return db.connection().execute(async (conn) => {
    const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext('herald-storage-maintenance')) as ok`.execute(conn);
    if (!got.rows[0]?.ok) return undefined;
    try {
      return await fn(conn as Db);
    } finally {
      await sql`select pg_advisory_unlock(hashtext('herald-storage-maintenance'))`.execute(conn);
    }
  });
}
