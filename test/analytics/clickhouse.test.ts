// ClickHouse-specific behaviour on a real server: a write during an outage fails and a
// repeated write adds nothing, retention drops old months, and the formatter keeps hostile
// values inert.
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

  it('refuses a write while the server is down, and stores each event once when written again', async () => {
    const tenant = 'outage';
    const database = dbName();
    const store = createClickHouseStore({ url: server.url, database, logger, requestTimeoutMs: 2000 });
    try {
      const first = batch(tenant, 1000, 0);
      const t0 = performance.now();
      expect((await store.write(first)).written).toBe(1000);
      const writeMs = performance.now() - t0;

      const dir = server.dir;
      await server.kill();
      const second = batch(tenant, 1000, 1_000_000);
      // The relay keeps them in the outbox and tries again later.
      await expect(store.write(second)).rejects.toThrow();

      await restart();
      expect(server.dir).toBe(dir);
      expect((await store.write(second)).written).toBe(1000);
      // Everything again (a relay that died before marking its rows shipped): nothing new.
      expect((await store.write([...first, ...second])).written).toBe(0);
      expect(await total(store, tenant)).toBe(2000);
      // Raw rows, not the summary's de-duplicated view: no second copy was inserted at all.
      const raw = createClient({ url: server.url });
      const rs = await raw.query({ query: chSql`SELECT count() AS n FROM ${ch.identifier(database)}.${ch.identifier('delivery_events')}`.text, format: 'JSONEachRow' });
      expect(Number((await rs.json<{ n: string }>())[0]?.n)).toBe(2000);
      await raw.close();
      console.log(`[measured] write of 1000 events: ${writeMs.toFixed(1)} ms`);
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
    await first.write([old, recent]);
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
