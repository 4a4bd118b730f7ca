// ClickHouse-specific behaviour on a real server: an outage loses nothing, the buffer is
// bounded, retention drops old months, and the formatter keeps hostile values inert.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@clickhouse/client';
import { ch, chSql, ChSqlError, type ChFragment } from '../../analytics/clickhouse-sql.js';
import { createClickHouseStore } from '../../analytics/clickhouse-store.js';
import type { DeliveryEvent } from '../../analytics/events.js';
import type { AnalyticsStore } from '../../analytics/store.js';
import { createLogger } from '../../common/logger.js';
import { startClickHouse, type LocalClickHouse } from '../../local/clickhouse.js';
import { RANGE, T0, event } from './dataset.js';

const logger = createLogger('silent', 'analytics-test');
const dbName = () => `herald_t_${randomBytes(4).toString('hex')}`;

function batch(tenant: string, n: number, offsetMs: number): DeliveryEvent[] {
  return Array.from({ length: n }, (_, i) => event(tenant, 'sent', new Date(T0.getTime() + offsetMs + i * 1000), { createdToSentMs: i }));
}

async function total(store: AnalyticsStore, tenantId: string): Promise<number> {
  const r = await store.summary({ tenantId, ...RANGE, interval: 'day' });
  return r.buckets.reduce((n, b) => n + b.total, 0);
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('clickhouse store against a server that goes away', () => {
  let server: LocalClickHouse;
  beforeAll(async () => {
    server = await startClickHouse();
  });
  afterAll(async () => {
    await server?.stop();
    // A restarted server was given the first one's dir, so it does not own (remove) it.
    if (server) rmSync(server.dir, { recursive: true, force: true });
  });

  async function restart(): Promise<void> {
    server = await startClickHouse({ dir: server.dir, httpPort: server.httpPort, tcpPort: server.tcpPort });
  }

  it('keeps events while the server is down and writes all of them after it returns', async () => {
    const tenant = 'outage';
    const store = createClickHouseStore({ url: server.url, database: dbName(), logger, flushIntervalMs: 100, retryInitialMs: 100, retryMaxMs: 500, requestTimeoutMs: 2000 });
    try {
      store.record(batch(tenant, 1000, 0));
      const t0 = performance.now();
      await store.flush();
      const flushMs = performance.now() - t0;
      expect(await total(store, tenant)).toBe(1000);

      const dir = server.dir;
      await server.kill();
      let slowest = 0;
      for (let k = 0; k < 20; k += 1) {
        const s = performance.now();
        store.record(batch(tenant, 100, 1_000_000 + k * 100_000));
        slowest = Math.max(slowest, performance.now() - s);
        await new Promise((r) => setTimeout(r, 25));
      }
      // Background writes have been failing and backing off meanwhile.
      await waitFor(() => store.stats().failedWrites >= 2, 10_000);
      expect(store.stats()).toMatchObject({ buffered: 2000, dropped: 0 });
      await expect(store.flush()).rejects.toThrow();
      expect(store.stats().buffered).toBe(2000);

      await restart();
      expect(server.dir).toBe(dir);
      // The retry timer alone must drain the backlog; flush() then has nothing left to do.
      await waitFor(() => store.stats().buffered === 0, 15_000);
      await store.flush();
      expect(await total(store, tenant)).toBe(3000);
      expect(store.stats()).toMatchObject({ written: 3000, dropped: 0, rejected: 0, invalid: 0 });
      console.log(`[measured] flush of 1000 events: ${flushMs.toFixed(1)} ms; slowest record(100) while down: ${slowest.toFixed(2)} ms`);
      expect(slowest).toBeLessThan(50);
    } finally {
      await store.close();
    }
  });

  it('bounds the buffer: beyond the cap the oldest are dropped and counted', async () => {
    const tenant = 'capped';
    const store = createClickHouseStore({ url: server.url, database: dbName(), logger, maxBuffered: 100, flushIntervalMs: 50, retryInitialMs: 50, retryMaxMs: 200, requestTimeoutMs: 2000 });
    try {
      await server.kill();
      const events = batch(tenant, 150, 0);
      store.record(events);
      expect(store.stats()).toMatchObject({ buffered: 100, dropped: 50 });
      await restart();
      await store.flush();
      const r = await store.summary({ tenantId: tenant, ...RANGE, interval: 'hour' });
      expect(r.buckets.reduce((n, b) => n + b.total, 0)).toBe(100);
      // The newest 100 survived: latencies 50..149.
      expect(r.buckets.reduce((n, b) => Math.min(n, b.latency.p50 ?? Infinity), Infinity)).toBeGreaterThanOrEqual(50);
      const all = await store.summary({ tenantId: tenant, ...RANGE, interval: 'day' });
      expect(all.buckets[0]!.latency.samples).toBe(100);
    } finally {
      await store.close();
    }
  });

  it('drops month partitions past the retention period', async () => {
    const database = dbName();
    const tenant = 'retention';
    const old = event(tenant, 'sent', new Date('2024-01-15T00:00:00Z'));
    const recent = event(tenant, 'sent', new Date(Date.now() - 3_600_000));
    const first = createClickHouseStore({ url: server.url, database, logger, ttlDays: 30 });
    first.record([old, recent]);
    await first.flush();
    const oldRange = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-02-01T00:00:00Z'), interval: 'day' as const, tenantId: tenant };
    expect((await first.summary(oldRange)).buckets).toHaveLength(1);
    await first.close();
    // A new process runs retention when it starts.
    const second = createClickHouseStore({ url: server.url, database, logger, ttlDays: 30 });
    try {
      expect((await second.summary(oldRange)).buckets).toEqual([]);
      const now = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000), interval: 'day' as const, tenantId: tenant };
      expect((await second.summary(now)).buckets.reduce((n, b) => n + b.total, 0)).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('formats hostile strings so the server reads back exactly the same value', async () => {
    const client = createClient({ url: server.url });
    try {
      const hostile = ["'", "\\'", "\\", "'; DROP TABLE x; --", 'a\nb\r\tc', '\u0000', '\\0', '`id`', '"dq"', "\\\\'\\'", '名前 😀', "' OR '1'='1"];
      for (const s of hostile) {
        const rs = await client.query({ query: chSql`SELECT ${ch.string(s)} AS v`.text, format: 'JSONEachRow' });
        expect(await rs.json<{ v: string }>()).toEqual([{ v: s }]);
      }
      const rs = await client.query({ query: chSql`SELECT toUInt32(${ch.dateTime(new Date('2026-03-10T12:34:56.789Z'))}) AS t`.text, format: 'JSONEachRow' });
      expect(await rs.json<{ t: number }>()).toEqual([{ t: Date.UTC(2026, 2, 10, 12, 34, 56) / 1000 }]);
    } finally {
      await client.close();
    }
    expect(() => chSql`SELECT ${'1; DROP TABLE x' as unknown as ChFragment}`).toThrow(ChSqlError);
    expect(() => ch.identifier('a; DROP')).toThrow(ChSqlError);
    expect(() => ch.identifier('a`b')).toThrow(ChSqlError);
    expect(() => ch.uint(-1)).toThrow(ChSqlError);
    expect(() => ch.uint(1.5)).toThrow(ChSqlError);
    expect(() => ch.uint(Number.NaN)).toThrow(ChSqlError);
    expect(() => ch.dateTime(new Date('nope'))).toThrow(ChSqlError);
    expect(() => ch.allowed({ a: ch.raw('x') }, 'toString')).toThrow(ChSqlError);
  });
});
