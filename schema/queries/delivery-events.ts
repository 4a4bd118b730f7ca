import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewDeliveryEvent } from '../tables/delivery-events.js';

/** Stores events; an event id already stored (a re-recorded event) is left as it is. Returns how many were new. */
export async function insertDeliveryEvents(db: DbOrTx, rows: NewDeliveryEvent[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await db
    .insertInto('delivery_events')
    .values(rows)
    .onConflict((oc) => oc.columns(['event_id', 'at']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

export type DeliveryEventGroupColumn = 'channel' | 'priority' | 'provider' | 'template_key' | 'type';

export interface DeliveryEventSummaryParams {
  tenantId: string;
  from: Date;
  to: Date;
  interval: 'hour' | 'day';
  groupColumn?: DeliveryEventGroupColumn | undefined;
  /** Event types to count, each in its own column of `counts`. */
  types: readonly string[];
  /** Percentile levels of created_to_sent_ms over `sent` events. */
  levels: readonly number[];
}

export interface DeliveryEventSummaryRow {
  bucket: Date;
  grp: string | null;
  /** One count per requested type, in order. */
  counts: number[];
  samples: number;
  /** One value per requested level, in order; null when there were no samples. */
  percentiles: (number | null)[] | null;
}

/**
 * Counts per type, and createdToSentMs percentiles (percentile_cont: linear interpolation
 * between the two nearest values), per UTC hour or day and optional group.
 */
export async function summarizeDeliveryEvents(db: DbOrTx, p: DeliveryEventSummaryParams): Promise<DeliveryEventSummaryRow[]> {
  // Buckets are cut in UTC whatever the session's time zone, to match ClickHouse's.
  const bucket = sql<Date>`date_trunc(${p.interval}, at at time zone 'UTC') at time zone 'UTC'`;
  const grp = p.groupColumn ? sql<string | null>`${sql.ref(p.groupColumn)}` : sql<string | null>`null::text`;
  const counts = sql<number[]>`array[${sql.join(p.types.map((t) => sql`count(*) filter (where type = ${t})::int`))}]`;
  const sentWithLatency = sql`type = 'sent' and created_to_sent_ms is not null`;
  const levels = sql`array[${sql.join(p.levels.map((l) => sql`${l}::float8`))}]`;
  const rows = await db
    .selectFrom('delivery_events')
    .select([
      bucket.as('bucket'),
      grp.as('grp'),
      counts.as('counts'),
      sql<number>`(count(*) filter (where ${sentWithLatency}))::int`.as('samples'),
      sql<(number | null)[] | null>`percentile_cont(${levels}) within group (order by created_to_sent_ms) filter (where ${sentWithLatency})`.as(
        'percentiles',
      ),
    ])
    .where('tenant_id', '=', p.tenantId)
    .where('at', '>=', p.from)
    .where('at', '<', p.to)
    .groupBy([sql`1`, sql`2`])
    .execute();
  return rows;
}
