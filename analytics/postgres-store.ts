// Analytics events in PostgreSQL, for the embedded default without ClickHouse. The same
// idempotent writes and the same answers as the ClickHouse store, at the scale one
// PostgreSQL serves.
import type { Db } from '../schema/database.js';
import { insertDeliveryEvents, summarizeDeliveryEvents, type DeliveryEventGroupColumn } from '../schema/queries/delivery-events.js';
import type { NewDeliveryEvent } from '../schema/tables/delivery-events.js';
import { DELIVERY_EVENT_TYPES, validRows, type DeliveryEvent } from './events.js';
import {
  checkSummaryQuery,
  emptyCounts,
  sortBuckets,
  toBucket,
  type AnalyticsStore,
  type SummaryGroupBy,
  type SummaryQuery,
  type SummaryResult,
} from './store.js';

export interface PostgresStoreOptions {
  db: Db;
}

// 18 columns × 2000 rows stays well under PostgreSQL's 65535 bind parameters.
const MAX_ROWS_PER_INSERT = 2000;

const GROUP_COLUMNS: Readonly<Record<SummaryGroupBy, DeliveryEventGroupColumn>> = {
  channel: 'channel',
  priority: 'priority',
  provider: 'provider',
  template: 'template_key',
  status: 'type',
};

const PERCENTILE_LEVELS = [0.5, 0.95, 0.99] as const;

export function toPostgresRow(e: DeliveryEvent): NewDeliveryEvent {
  return {
    event_id: e.eventId,
    type: e.type,
    at: e.at,
    tenant_id: e.tenantId,
    notification_id: e.notificationId,
    delivery_id: e.deliveryId,
    user_id: e.userId,
    template_key: e.templateKey,
    template_version: e.templateVersion,
    channel: e.channel,
    provider: e.provider,
    priority: e.priority,
    category: e.category,
    module: e.module,
    created_to_sent_ms: e.createdToSentMs,
    sent_to_delivered_ms: e.sentToDeliveredMs,
    error_code: e.errorCode,
    error_reason: e.errorReason,
  };
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity): the rows, not the server, are at fault. */
export function isPermanentPostgresError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

export function createPostgresStore(opts: PostgresStoreOptions): AnalyticsStore {
  const o = opts;

  return {
    kind: 'postgres',

    async write(events) {
      const { rows, invalid } = validRows(events, toPostgresRow);
      let written = 0;
      for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) written += await insertDeliveryEvents(o.db, rows.slice(i, i + MAX_ROWS_PER_INSERT));
      return { written, invalid };
    },

    isPermanent: isPermanentPostgresError,

    async summary(query: SummaryQuery): Promise<SummaryResult> {
      const q = checkSummaryQuery(query);
      const rows = await summarizeDeliveryEvents(o.db, {
        tenantId: q.tenantId,
        from: q.from,
        to: q.to,
        interval: q.interval,
        groupColumn: q.groupBy ? GROUP_COLUMNS[q.groupBy] : undefined,
        types: DELIVERY_EVENT_TYPES,
        levels: PERCENTILE_LEVELS,
      });
      const buckets = rows.map((r) => {
        const c = emptyCounts();
        DELIVERY_EVENT_TYPES.forEach((t, i) => {
          c[t] = r.counts[i] ?? 0;
        });
        return toBucket(r.bucket, r.grp, c, r.samples, r.percentiles ?? []);
      });
      return { query: q, buckets: sortBuckets(buckets) };
    },

    // The pool belongs to whoever passed it in.
    close: () => Promise.resolve(),
  };
}
