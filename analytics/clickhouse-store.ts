// Analytics events in ClickHouse: an idempotent writer (the outbox relay calls it), versioned
// DDL of its own, retention by month partition, and the summary query.
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../common/logger.js';
import { ch, chSql, type ChFragment } from './clickhouse-sql.js';
import { DELIVERY_EVENT_TYPES, validRows, type DeliveryEvent } from './events.js';
import {
  checkSummaryQuery,
  emptyCounts,
  sortBuckets,
  toBucket,
  type AnalyticsStore,
  type SummaryGroupBy,
  type SummaryInterval,
  type SummaryQuery,
  type SummaryResult,
} from './store.js';

export interface ClickHouseStoreOptions {
  url: string;
  username?: string;
  password?: string;
  database?: string;
  /** Events older than this are removed (TTL where the server has it, month partitions always). */
  ttlDays?: number;
  requestTimeoutMs?: number;
  retentionIntervalMs?: number;
  logger: Logger;
}

export const CLICKHOUSE_DEFAULTS = {
  database: 'herald',
  ttlDays: 395,
  requestTimeoutMs: 10_000,
  retentionIntervalMs: 3_600_000,
} as const;

const TABLE = 'delivery_events';

/** One row as sent with JSONEachRow: `at` as unix seconds, so no time zone is involved. */
export interface ClickHouseEventRow {
  event_id: string;
  type: string;
  at: number;
  tenant_id: string;
  notification_id: string;
  delivery_id: string;
  user_id: string;
  template_key: string;
  template_version: number;
  channel: string;
  provider: string | null;
  priority: string;
  category: string | null;
  module: string | null;
  created_to_sent_ms: number | null;
  sent_to_delivered_ms: number | null;
  error_code: string | null;
  error_reason: string | null;
}

interface ChMigration {
  version: number;
  name: string;
  statements(db: ChFragment): ChFragment[];
}

/**
 * Append-only, like the Kysely migrations: a change is a new entry, never an edit. Each
 * statement is idempotent (IF NOT EXISTS) because the DDL and the row recording it are not
 * atomic; a crash between them reruns the statement harmlessly.
 *
 * De-duplication: an event reaches ClickHouse from one outbox row, and `write` skips the
 * event ids already stored (a relay that died between the insert and marking its rows
 * shipped writes them again). ReplacingMergeTree and the summaries' LIMIT 1 BY event_id
 * stay as a second guard; the latter costs a hash of the event ids in the queried tenant ×
 * range, bounded by the MAX_SUMMARY_BUCKETS range limit.
 */
export const CLICKHOUSE_MIGRATIONS: readonly ChMigration[] = [
  {
    version: 1,
    name: 'delivery_events',
    statements: (db) => [
      chSql`CREATE TABLE IF NOT EXISTS ${db}.${ch.identifier(TABLE)} (
        event_id String,
        type String,
        at DateTime('UTC'),
        tenant_id String,
        notification_id String,
        delivery_id String,
        user_id String,
        template_key String,
        template_version UInt32,
        channel String,
        provider Nullable(String),
        priority String,
        category Nullable(String),
        module Nullable(String),
        created_to_sent_ms Nullable(UInt32),
        sent_to_delivered_ms Nullable(UInt32),
        error_code Nullable(String),
        error_reason Nullable(String)
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(at)
      ORDER BY (tenant_id, at, event_id)`,
    ],
  },
];

// Server error codes that mean "this content will never be accepted" (parse and type
// errors); anything else (network, memory, too many parts, missing table) is retried.
const PERMANENT_CODES = new Set([6, 26, 27, 38, 41, 53, 69, 70, 72, 117, 131, 349]);

export function clickHouseErrorCode(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const fromField = Number((err as { code?: unknown }).code);
  if (Number.isInteger(fromField) && fromField > 0) return fromField;
  const m = /^Code: (\d+)/.exec(err.message);
  return m?.[1] ? Number(m[1]) : undefined;
}

export function toClickHouseRow(e: DeliveryEvent): ClickHouseEventRow {
  return {
    event_id: e.eventId,
    type: e.type,
    at: Math.floor(e.at.getTime() / 1000),
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

const GROUP_COLUMNS: Readonly<Record<SummaryGroupBy, ChFragment>> = {
  channel: ch.identifier('channel'),
  priority: ch.identifier('priority'),
  provider: ch.identifier('provider'),
  template: ch.identifier('template_key'),
  status: ch.identifier('type'),
};

const BUCKET_FUNCTIONS: Readonly<Record<SummaryInterval, ChFragment>> = {
  hour: ch.raw('toStartOfHour'),
  day: ch.raw('toStartOfDay'),
};

const PERCENTILE_LEVELS = [0.5, 0.95, 0.99] as const;

interface SummaryRow {
  bucket: number | string;
  grp?: string | null;
  samples: number | string;
  pcts: (number | null)[] | null;
  [count: string]: unknown;
}

function parseVersion(v: string): [number, number] {
  const [major = 0, minor = 0] = v.split('.').map((p) => Number.parseInt(p, 10));
  return [major, minor];
}

export function createClickHouseStore(opts: ClickHouseStoreOptions): AnalyticsStore {
  const o = { ...CLICKHOUSE_DEFAULTS, ...opts };
  const log = o.logger.child({ component: 'analytics', store: 'clickhouse' });
  const client: ClickHouseClient = createClient({
    url: o.url,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    request_timeout: o.requestTimeoutMs,
    // The client would print every failed request itself; the relay logs once per attempt.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const db = ch.identifier(o.database);
  const table = chSql`${db}.${ch.identifier(TABLE)}`;
  let ready: Promise<void> | undefined;
  let retentionTimer: NodeJS.Timeout | undefined;

  async function command(q: ChFragment): Promise<void> {
    await client.command({ query: q.text });
  }

  async function select<R>(q: ChFragment): Promise<R[]> {
    const rs = await client.query({ query: q.text, format: 'JSONEachRow' });
    return rs.json<R>();
  }

  async function migrate(): Promise<void> {
    await command(chSql`CREATE DATABASE IF NOT EXISTS ${db}`);
    const migrations = chSql`${db}.${ch.identifier('herald_migrations')}`;
    await command(chSql`CREATE TABLE IF NOT EXISTS ${migrations} (version UInt32, name String, applied_at DateTime)
      ENGINE = MergeTree() ORDER BY version`);
    const applied = new Set(
      (await select<{ version: number | string }>(chSql`SELECT DISTINCT version FROM ${migrations}`)).map((r) => Number(r.version)),
    );
    for (const m of CLICKHOUSE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const s of m.statements(db)) await command(s);
      await client.insert({
        table: migrations.text,
        values: [{ version: m.version, name: m.name, applied_at: Math.floor(Date.now() / 1000) }],
        format: 'JSONEachRow',
      });
      log.info({ version: m.version, name: m.name }, 'clickhouse migration applied');
    }
  }

  /**
   * 18.16 predates table TTL (19.6), so retention drops whole month partitions that lie
   * entirely before the cutoff; that works on every version. Where TTL exists it is set too,
   * so rows go at day granularity between the monthly drops.
   */
  async function enforceRetention(): Promise<void> {
    const cutoff = Date.now() - o.ttlDays * 86_400_000;
    const [{ v = '0' } = {}] = await select<{ v: string }>(chSql`SELECT version() AS v`);
    const [major, minor] = parseVersion(v);
    if (major > 19 || (major === 19 && minor >= 6)) {
      const ttl = chSql`TTL at + toIntervalDay(${ch.uint(o.ttlDays)})`;
      const [row] = await select<{ engine_full: string }>(
        chSql`SELECT engine_full FROM system.tables WHERE database = ${ch.string(o.database)} AND name = ${ch.string(TABLE)}`,
      );
      if (row && !row.engine_full.includes(ttl.text)) {
        await command(chSql`ALTER TABLE ${table} MODIFY ${ttl}`);
      }
    }
    const parts = await select<{ partition: string }>(
      chSql`SELECT DISTINCT partition FROM system.parts
        WHERE database = ${ch.string(o.database)} AND table = ${ch.string(TABLE)} AND active`,
    );
    for (const { partition } of parts) {
      const yyyymm = Number(partition);
      if (!Number.isInteger(yyyymm)) continue;
      const monthEnd = Date.UTC(Math.floor(yyyymm / 100), yyyymm % 100, 1);
      if (monthEnd <= cutoff) {
        await command(chSql`ALTER TABLE ${table} DROP PARTITION ${ch.uint(yyyymm)}`);
        log.info({ partition: yyyymm }, 'analytics partition past retention dropped');
      }
    }
  }

  function ensureReady(): Promise<void> {
    // Lazy and retried: a ClickHouse that is down at start-up must not stop the process,
    // only delay the first write.
    ready ??= (async () => {
      await migrate();
      await enforceRetention();
      if (!retentionTimer) {
        retentionTimer = setInterval(() => {
          enforceRetention().catch((err: unknown) => log.warn({ err }, 'analytics retention failed'));
        }, o.retentionIntervalMs);
        retentionTimer.unref();
      }
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return ready;
  }

  /**
   * The ids among `rows` already stored. An event's tenant and time never change, so the
   * lookup reads only the sorting key's range the batch spans.
   */
  async function storedIds(rows: readonly ClickHouseEventRow[]): Promise<Set<string>> {
    const ats = rows.map((r) => r.at);
    const found = await select<{ event_id: string }>(chSql`SELECT event_id FROM ${table}
      WHERE tenant_id IN (${ch.list([...new Set(rows.map((r) => r.tenant_id))].map(ch.string))})
        AND at >= ${ch.dateTime(new Date(Math.min(...ats) * 1000))} AND at <= ${ch.dateTime(new Date(Math.max(...ats) * 1000))}
        AND event_id IN (${ch.list(rows.map((r) => ch.string(r.event_id)))})`);
    return new Set(found.map((r) => r.event_id));
  }

  return {
    kind: 'clickhouse',

    async write(events) {
      const { rows, invalid } = validRows(events, toClickHouseRow);
      if (rows.length === 0) return { written: 0, invalid };
      await ensureReady();
      // What is stored already, then what this batch adds: an event in it twice is written once.
      const seen = await storedIds(rows);
      const fresh: ClickHouseEventRow[] = [];
      for (const r of rows) {
        if (seen.has(r.event_id)) continue;
        seen.add(r.event_id);
        fresh.push(r);
      }
      if (fresh.length > 0) await client.insert({ table: table.text, values: fresh, format: 'JSONEachRow' });
      return { written: fresh.length, invalid };
    },

    isPermanent(err) {
      const code = clickHouseErrorCode(err);
      return code !== undefined && PERMANENT_CODES.has(code);
    },

    async summary(query: SummaryQuery): Promise<SummaryResult> {
      const q = checkSummaryQuery(query);
      await ensureReady();
      const grp = q.groupBy ? ch.allowed(GROUP_COLUMNS, q.groupBy) : undefined;
      const bucketFn = ch.allowed(BUCKET_FUNCTIONS, q.interval);
      const sentWithLatency = ch.raw(`type = 'sent' AND isNotNull(created_to_sent_ms)`);
      const counts = ch.list(DELIVERY_EVENT_TYPES.map((t) => chSql`countIf(type = ${ch.string(t)}) AS ${ch.identifier(`c_${t}`)}`));
      const levels = ch.list(PERCENTILE_LEVELS.map((l) => ch.level(l)));
      const inner = chSql`SELECT at, type, created_to_sent_ms${grp ? chSql`, ${grp} AS grp` : ch.raw('')}
        FROM ${table}
        WHERE tenant_id = ${ch.string(q.tenantId)} AND at >= ${ch.dateTime(q.from)} AND at < ${ch.dateTime(q.to)}
        LIMIT 1 BY event_id`;
      const rows = await select<SummaryRow>(chSql`SELECT toUInt32(${bucketFn}(at)) AS bucket${grp ? ch.raw(', grp') : ch.raw('')},
          ${counts},
          countIf(${sentWithLatency}) AS samples,
          quantilesExactIf(${levels})(created_to_sent_ms, ${sentWithLatency}) AS pcts
        FROM (${inner})
        GROUP BY bucket${grp ? ch.raw(', grp') : ch.raw('')}`);
      const buckets = rows.map((r) => {
        const c = emptyCounts();
        for (const t of DELIVERY_EVENT_TYPES) c[t] = Number(r[`c_${t}`] ?? 0);
        return toBucket(new Date(Number(r.bucket) * 1000), grp ? (r.grp ?? null) : null, c, Number(r.samples), r.pcts ?? []);
      });
      return { query: q, buckets: sortBuckets(buckets) };
    },

    async close() {
      if (retentionTimer) clearInterval(retentionTimer);
      await client.close();
    },
  };
}
