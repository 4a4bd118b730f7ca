// The one interface both analytics back ends implement, and the summary shape the
// analytics API returns. Pure: no I/O here.
import { DELIVERY_EVENT_TYPES, type DeliveryEvent, type DeliveryEventType, type InvalidEvent } from './events.js';

export const SUMMARY_INTERVALS = ['hour', 'day'] as const;
export type SummaryInterval = (typeof SUMMARY_INTERVALS)[number];

export const SUMMARY_GROUP_BY = ['channel', 'priority', 'provider', 'template', 'status'] as const;
export type SummaryGroupBy = (typeof SUMMARY_GROUP_BY)[number];

export interface SummaryQuery {
  tenantId: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  interval: SummaryInterval;
  groupBy?: SummaryGroupBy | undefined;
}

export type EventCounts = Record<DeliveryEventType, number>;

export interface LatencyPercentiles {
  /** How many `sent` events carried createdToSentMs. */
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface SummaryBucket {
  /** Start of the hour or the UTC day. */
  start: Date;
  /** The groupBy value (`status` groups by event type); null without groupBy or for a null value. */
  group: string | null;
  counts: EventCounts;
  total: number;
  /** delivered / (sent + failed): of what was handed to a provider or failed trying, the confirmed share. */
  deliveryRate: number | null;
  /** createdToSentMs over `sent` events. */
  latency: LatencyPercentiles;
}

export interface SummaryResult {
  query: SummaryQuery;
  /** Only buckets with events, ordered by start, then group (null first). */
  buckets: SummaryBucket[];
}

export interface WriteResult {
  /** Rows inserted now (events already stored are skipped). */
  written: number;
  /** Refused by checkEvent: never written. */
  invalid: InvalidEvent[];
}

export interface AnalyticsStore {
  readonly kind: 'clickhouse' | 'postgres';
  /**
   * Stores the events now. Idempotent by event id: writing events again (a relay that died
   * before marking them shipped) adds nothing. Throws when the database cannot take them.
   */
  write(events: readonly DeliveryEvent[]): Promise<WriteResult>;
  /** True when the database refused the content itself, so writing the same rows again cannot help. */
  isPermanent(err: unknown): boolean;
  /** Throws AnalyticsQueryError for an invalid query. */
  summary(query: SummaryQuery): Promise<SummaryResult>;
  /** Releases the connection. */
  close(): Promise<void>;
}

export class AnalyticsQueryError extends Error {
  override name = 'AnalyticsQueryError';
}

/** A summary of more buckets than this is almost certainly a mistaken range. */
export const MAX_SUMMARY_BUCKETS = 24 * 400;

export function checkSummaryQuery(q: SummaryQuery): SummaryQuery {
  if (typeof q.tenantId !== 'string' || q.tenantId.length === 0) throw new AnalyticsQueryError('tenantId is required');
  for (const [name, d] of [['from', q.from], ['to', q.to]] as const) {
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new AnalyticsQueryError(`${name} must be a valid date`);
    if (d.getTime() < 0 || d.getTime() >= Date.UTC(2105, 0, 1)) throw new AnalyticsQueryError(`${name} is out of range`);
  }
  if (q.from.getTime() >= q.to.getTime()) throw new AnalyticsQueryError('from must be before to');
  if (!(SUMMARY_INTERVALS as readonly unknown[]).includes(q.interval)) throw new AnalyticsQueryError('interval must be hour or day');
  if (q.groupBy !== undefined && !(SUMMARY_GROUP_BY as readonly unknown[]).includes(q.groupBy)) {
    throw new AnalyticsQueryError(`groupBy must be one of ${SUMMARY_GROUP_BY.join(', ')}`);
  }
  const bucketMs = q.interval === 'hour' ? 3_600_000 : 86_400_000;
  if ((q.to.getTime() - q.from.getTime()) / bucketMs > MAX_SUMMARY_BUCKETS) {
    throw new AnalyticsQueryError(`the range spans more than ${MAX_SUMMARY_BUCKETS} ${q.interval}s`);
  }
  return { tenantId: q.tenantId, from: q.from, to: q.to, interval: q.interval, groupBy: q.groupBy };
}

export function emptyCounts(): EventCounts {
  return Object.fromEntries(DELIVERY_EVENT_TYPES.map((t) => [t, 0])) as EventCounts;
}

/** The part both stores share once they have per-bucket counts and percentiles. */
export function toBucket(
  start: Date,
  group: string | null,
  counts: EventCounts,
  samples: number,
  percentiles: readonly (number | null)[],
): SummaryBucket {
  const total = DELIVERY_EVENT_TYPES.reduce((n, t) => n + counts[t], 0);
  const attempted = counts.sent + counts.failed;
  // Aggregates over zero samples come back as 0 (ClickHouse) or null (PostgreSQL); both mean "none".
  const pick = (i: number): number | null => (samples > 0 ? (percentiles[i] ?? null) : null);
  return {
    start,
    group,
    counts,
    total,
    deliveryRate: attempted > 0 ? counts.delivered / attempted : null,
    latency: { samples, p50: pick(0), p95: pick(1), p99: pick(2) },
  };
}

export function sortBuckets(buckets: SummaryBucket[]): SummaryBucket[] {
  return buckets.sort((a, b) => {
    const d = a.start.getTime() - b.start.getTime();
    if (d !== 0) return d;
    if (a.group === b.group) return 0;
    if (a.group === null) return -1;
    if (b.group === null) return 1;
    return a.group < b.group ? -1 : 1;
  });
}
