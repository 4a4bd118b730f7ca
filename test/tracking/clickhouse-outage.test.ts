// ClickHouse goes away in the middle of a run: deliveries carry on (they never wait on
// analytics), the events wait in the PostgreSQL outbox, and once the server is back the
// relay writes every one of them once — the counts equal the ledger's.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type LocalClickHouse } from '../../local/clickhouse.js';
import { countUnshippedOutbox } from '../../schema/queries/event-outbox.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('analytics on ClickHouse that stops mid-run', () => {
  let server: LocalClickHouse;
  let stack: TestStack;
  const started = Date.now();
  const range = `from=${encodeURIComponent(new Date(started - 3_600_000).toISOString())}&to=${encodeURIComponent(new Date(started + 3_600_000).toISOString())}&interval=hour`;

  beforeAll(async () => {
    server = await startClickHouse();
    stack = await startStack({ env: { CLICKHOUSE_URL: server.url, HERALD_EVENT_RELAY_INTERVAL_MS: '100', HERALD_EVENT_RELAY_RETRY_MAX_MS: '500' } });
    await seedEmail(stack, { userId: 'u0' });
    for (let i = 1; i < 6; i += 1) await stack.request('PUT', `/v1/users/u${i}`, { name: `U${i}`, email: `u${i}@example.com` });
  });
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    // A restarted server was given the first one's dir, so it does not remove it itself.
    if (server) rmSync(server.dir, { recursive: true, force: true });
  });

  const sendAll = async (users: string[]) => {
    const ids: string[] = [];
    for (const u of users) {
      const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: [u] }, data: { name: u } });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    const done = [];
    for (const id of ids) done.push(await waitForFinal(stack, id));
    return done;
  };

  it('loses no event while the server is down', async () => {
    const first = await sendAll(['u0', 'u1']);
    await stack.workers.relay?.drain();
    const live = await stack.request('GET', `/v1/analytics/summary?${range}`);
    expect(live.body.totals.counts).toMatchObject({ queued: 2, sent: 2 });

    const dir = server.dir;
    await server.kill();
    const t0 = performance.now();
    const during = await sendAll(['u2', 'u3', 'u4', 'u5']);
    const runMs = performance.now() - t0;
    expect(during.map((d) => d.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    // Held in the outbox meanwhile: queued + sent per notification. (Its notification.* events,
    // for webhooks only, are shipped whenever a batch holds nothing for analytics.)
    expect(await countUnshippedOutbox(stack.db, 'delivery.')).toBe(8);
    await expect(stack.workers.relay?.drain()).rejects.toThrow();
    expect(await countUnshippedOutbox(stack.db, 'delivery.')).toBe(8);
    // Reads say the dependency is down; they do not fail as a server error.
    const down = await stack.request('GET', `/v1/analytics/summary?${range}`);
    expect(down.status).toBe(503);

    server = await startClickHouse({ dir, httpPort: server.httpPort, tcpPort: server.tcpPort });
    // The relay's own retry timer ships the backlog; nothing is drained by hand.
    await eventually(async () => ((await countUnshippedOutbox(stack.db)) === 0 ? true : undefined), 30_000, 100);
    const after = await stack.request('GET', `/v1/analytics/summary?${range}`);
    expect(after.status).toBe(200);
    const ledgerSent = [...first, ...during].reduce((n, d) => n + d.counts.sent, 0);
    expect(ledgerSent).toBe(6);
    expect(after.body.totals.counts).toMatchObject({ queued: 6, sent: ledgerSent, failed: 0, suppressed: 0 });
    expect(after.body.buckets.reduce((n: number, b: any) => n + b.latency.samples, 0)).toBe(ledgerSent);
    console.log(`[measured] 4 notifications sent with ClickHouse down: ${runMs.toFixed(0)} ms`);
  });
});
