// The same suite against both analytics stores, on a real PostgreSQL and a real ClickHouse.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseStore } from '../../analytics/clickhouse-store.js';
import { createPostgresStore } from '../../analytics/postgres-store.js';
import { AnalyticsQueryError, type AnalyticsStore, type SummaryGroupBy, type SummaryInterval } from '../../analytics/store.js';
import type { DeliveryEvent } from '../../analytics/events.js';
import { createLogger } from '../../common/logger.js';
import { startClickHouse, type LocalClickHouse } from '../../local/clickhouse.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';
import { RANGE, T0, datasetA, event, expectedBuckets, outsideRange, percentile, type PercentileDefinition } from './dataset.js';

interface Backend {
  store: AnalyticsStore;
  stop(): Promise<void>;
}

const logger = createLogger('silent', 'analytics-test');

const backends: { name: string; percentiles: PercentileDefinition; start(): Promise<Backend> }[] = [
  {
    name: 'postgres',
    percentiles: 'interpolated',
    async start() {
      const tdb: TestDatabase = await createTestDatabase();
      const store = createPostgresStore({ db: tdb.db });
      return {
        store,
        async stop() {
          await store.close();
          await tdb.drop();
        },
      };
    },
  },
  {
    name: 'clickhouse',
    percentiles: 'exact-rank',
    async start() {
      // A server time zone other than UTC proves buckets do not depend on it.
      const server: LocalClickHouse = await startClickHouse({ timezone: 'Asia/Shanghai' });
      const store = createClickHouseStore({ url: server.url, database: `herald_t_${randomBytes(4).toString('hex')}`, logger });
      return {
        store,
        async stop() {
          await store.close();
          await server.stop();
        },
      };
    },
  },
];

describe.each(backends)('analytics store: $name', ({ percentiles: def, start }) => {
  let backend: Backend;
  let store: AnalyticsStore;
  const A = `tenant-a-${randomBytes(3).toString('hex')}`;
  const B = `tenant-b-${randomBytes(3).toString('hex')}`;
  const eventsA = datasetA(A);
  const eventsB = [event(B, 'sent', new Date(T0.getTime() + 60_000), { createdToSentMs: 7, channel: 'chat', provider: 'slack' })];

  beforeAll(async () => {
    backend = await start();
    store = backend.store;
    // Writing 20 events again (a relay that died before marking them shipped) must not change any count.
    const duplicates = eventsA.filter((_, i) => i % 13 === 0).slice(0, 20);
    expect((await store.write(eventsA.slice(0, 150))).written).toBe(150);
    const second = await store.write([...eventsA.slice(150), ...duplicates, ...outsideRange(A)]);
    expect(second.written).toBe(eventsA.length - 150 + outsideRange(A).length);
    await store.write(eventsB);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  async function check(interval: SummaryInterval, groupBy?: SummaryGroupBy): Promise<void> {
    const result = await store.summary({ tenantId: A, ...RANGE, interval, groupBy });
    const expected = expectedBuckets(eventsA, RANGE.from, RANGE.to, interval, groupBy);
    expect(result.buckets.map((b) => ({ start: b.start.getTime(), group: b.group, counts: b.counts }))).toEqual(
      expected.map((b) => ({ start: b.start, group: b.group, counts: b.counts })),
    );
    result.buckets.forEach((b, i) => {
      const e = expected[i]!;
      expect(b.latency.samples).toBe(e.latencies.length);
      expect(b.total).toBe(Object.values(e.counts).reduce((x, y) => x + y, 0));
      const attempted = e.counts.sent + e.counts.failed;
      expect(b.deliveryRate).toBe(attempted > 0 ? e.counts.delivered / attempted : null);
    });
  }

  it('counts every recorded event exactly once, per day and per hour', async () => {
    await check('day');
    await check('hour');
    const day = await store.summary({ tenantId: A, ...RANGE, interval: 'day' });
    expect(day.buckets).toHaveLength(2);
    const [d1, d2] = day.buckets;
    expect(d1!.counts).toMatchObject({ queued: 100, sent: 100, delivered: 40, failed: 0, deferred: 1, recalled: 7 });
    expect(d2!.counts).toMatchObject({ failed: 10, sent: 1 });
    expect(d1!.deliveryRate).toBe(0.4);
  });

  it(`computes createdToSentMs percentiles on 1..100 ms (${def})`, async () => {
    const day = await store.summary({ tenantId: A, ...RANGE, interval: 'day' });
    const lat = day.buckets[0]!.latency;
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(lat.samples).toBe(100);
    expect(lat.p50).toBeCloseTo(percentile(sorted, 0.5, def)!, 9);
    expect(lat.p95).toBeCloseTo(percentile(sorted, 0.95, def)!, 9);
    expect(lat.p99).toBeCloseTo(percentile(sorted, 0.99, def)!, 9);
    // The definitions are documented; these pin them down.
    expect([lat.p50, lat.p95, lat.p99]).toEqual(def === 'interpolated' ? [50.5, 95.05, 99.01] : [51, 96, 100]);
    // A bucket without latency samples reports none rather than zeros.
    const hours = await store.summary({ tenantId: A, ...RANGE, interval: 'hour' });
    const deliveredHour = hours.buckets.find((b) => b.start.getTime() === T0.getTime() + 2 * 3_600_000)!;
    expect(deliveredHour.latency).toEqual({ samples: 0, p50: null, p95: null, p99: null });
  });

  it('groups by channel, provider, priority, template and status', async () => {
    for (const g of ['channel', 'provider', 'priority', 'template', 'status'] as const) await check('day', g);
    const byProvider = await store.summary({ tenantId: A, ...RANGE, interval: 'day', groupBy: 'provider' });
    const d1 = byProvider.buckets.filter((b) => b.start.getTime() === T0.getTime());
    expect(d1.map((b) => b.group)).toEqual([null, 'fcm', 'smtp-a', 'twilio']);
    const twilio = d1.find((b) => b.group === 'twilio')!;
    const odd = Array.from({ length: 50 }, (_, i) => 2 * i + 1);
    expect(twilio.counts.sent).toBe(50);
    expect(twilio.latency.p50).toBeCloseTo(percentile(odd, 0.5, def)!, 9);
    const byChannel = await store.summary({ tenantId: A, ...RANGE, interval: 'hour', groupBy: 'channel' });
    const h0 = byChannel.buckets.filter((b) => b.start.getTime() === T0.getTime());
    expect(h0.map((b) => [b.group, b.counts.sent, b.counts.queued])).toEqual([
      ['email', 50, 50],
      ['sms', 50, 50],
    ]);
  });

  it('keeps tenants apart', async () => {
    const b = await store.summary({ tenantId: B, ...RANGE, interval: 'day', groupBy: 'channel' });
    expect(b.buckets).toHaveLength(1);
    expect(b.buckets[0]).toMatchObject({ group: 'chat', total: 1, latency: { samples: 1 } });
    expect(b.buckets[0]!.counts.sent).toBe(1);
    const a = await store.summary({ tenantId: A, ...RANGE, interval: 'day', groupBy: 'channel' });
    expect(a.buckets.some((x) => x.group === 'chat')).toBe(false);
    const nobody = await store.summary({ tenantId: `${A}x`, ...RANGE, interval: 'day' });
    expect(nobody.buckets).toEqual([]);
  });

  it('round-trips hostile strings as tenant id and template key', async () => {
    const tenant = `evil'); DROP TABLE delivery_events; --\\' "x" \\\\ \n\t ' OR '1'='1`;
    const key = `tpl\\'; DROP TABLE delivery_events; -- \`back\` "dq" \\n 名前`;
    const evil: DeliveryEvent[] = [
      event(tenant, 'sent', new Date(T0.getTime() + 1000), { templateKey: key, createdToSentMs: 10 }),
      event(tenant, 'sent', new Date(T0.getTime() + 2000), { templateKey: key, createdToSentMs: 20 }),
      event(tenant, 'failed', new Date(T0.getTime() + 3000), { templateKey: 'plain', errorReason: "it's \\ broken'" }),
    ];
    expect(await store.write(evil)).toEqual({ written: 3, invalid: [] });
    const r = await store.summary({ tenantId: tenant, ...RANGE, interval: 'day', groupBy: 'template' });
    expect(r.buckets.map((b) => [b.group, b.counts.sent, b.counts.failed])).toEqual([
      ['plain', 0, 1],
      [key, 2, 0],
    ].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)));
    // A prefix of the hostile tenant id is another tenant and sees nothing.
    expect((await store.summary({ tenantId: 'evil', ...RANGE, interval: 'day' })).buckets).toEqual([]);
    // The table is still there and tenant A's data untouched.
    await check('day');
  });

  it('writes no invalid event, and says which and why', async () => {
    const bad = { ...event(A, 'sent', new Date(T0.getTime())), type: 'exploded' } as unknown as DeliveryEvent;
    const nul = event(A, 'sent', new Date(T0.getTime()), { templateKey: 'a\u0000b' });
    const r = await store.write([bad, nul]);
    expect(r.written).toBe(0);
    expect(r.invalid.map((i) => [i.eventId, i.reason])).toEqual([
      [bad.eventId, 'unknown event type exploded'],
      [nul.eventId, 'templateKey contains NUL'],
    ]);
    await check('day');
  });

  it('refuses invalid summary queries with a typed error', async () => {
    await expect(store.summary({ tenantId: A, from: RANGE.to, to: RANGE.from, interval: 'day' })).rejects.toBeInstanceOf(AnalyticsQueryError);
    await expect(store.summary({ tenantId: A, ...RANGE, interval: 'week' as 'day' })).rejects.toBeInstanceOf(AnalyticsQueryError);
    await expect(store.summary({ tenantId: A, ...RANGE, interval: 'day', groupBy: 'tenant_id' as 'channel' })).rejects.toBeInstanceOf(
      AnalyticsQueryError,
    );
    await expect(store.summary({ tenantId: '', ...RANGE, interval: 'day' })).rejects.toBeInstanceOf(AnalyticsQueryError);
  });
});
