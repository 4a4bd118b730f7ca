// How webhook dispatchers share deliveries (domain/events/webhook-send.ts), on the machine's
// PostgreSQL against a loopback receiver: a pass claims its rows with FOR UPDATE SKIP LOCKED and
// holds the locks in its transaction until the attempts are recorded, so two dispatchers
// passing at once never send one event twice; a pass whose connection dies mid-pass (a worker
// killed) cannot record its attempts and lets go of its rows at once, and another pass sends
// them (the same webhook-id again: at least once), with no lease to run out first.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.js';
import { createSecretBox } from '../../common/secret-box.js';
import { notificationOutboxRow } from '../../domain/events/notification-events.js';
import { sendDueWebhooks, type WebhookSendOptions } from '../../domain/events/webhook-send.js';
import { createEndpoint, fanOutToWebhooks } from '../../domain/events/webhooks.js';
import { createDb } from '../../schema/connect.js';
import type { Db } from '../../schema/database.js';
import { insertTenantIfMissing, updateTenant } from '../../schema/queries/tenants.js';
import type { EventOutboxRow } from '../../schema/tables/event-outbox.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';

const secretBox = createSecretBox('webhook-claims-test-secret-key');
const TENANT = 'claims';

/** Counts each webhook-id it receives; `hold` keeps requests waiting until released. */
async function startReceiver() {
  const seen = new Map<string, number>();
  let held: Array<() => void> | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      if (held) held.push(() => res.writeHead(204).end());
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen,
    hold: () => (held = []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function backlog(db: Db, url: string, n: number): Promise<string[]> {
  await insertTenantIfMissing(db, { id: TENANT, name: TENANT, timezone: 'UTC' });
  await updateTenant(db, TENANT, { outbound_allowlist: ['127.0.0.1/32'] });
  await createEndpoint({ db, secretBox, rotationGraceMs: 0 }, { tenantId: TENANT, keyId: 'test' }, { url, eventTypes: ['notification.completed'] });
  const now = new Date();
  const rows: EventOutboxRow[] = Array.from({ length: n }, (_, i) => {
    const r = notificationOutboxRow(TENANT, { type: 'notification.completed', notificationId: `ntf_claims_${i}`, status: 'completed', reason: null, counts: { total: 1, sent: 1 } });
    return { ...r, seq: String(i + 1), payload: JSON.parse(r.payload) as Record<string, unknown>, created_at: now, shipped_at: null, fanned_out_at: null };
  });
  await db.transaction().execute((tx) => fanOutToWebhooks(tx, rows));
  return rows.map((r) => r.event_id);
}

const options = (db: Db, batchSize: number): WebhookSendOptions => ({
  db,
  secretBox,
  logger: createLogger('silent', 'test'),
  retryScheduleMs: [200, 400],
  disableAfterMs: 3_600_000,
  timeoutMs: 10_000,
  batchSize,
  concurrency: 8,
});

describe('webhook dispatchers sharing deliveries', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('two dispatchers passing at once send every event once, each with one attempt logged', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => database.drop());
    const rx = await startReceiver();
    cleanup.push(() => rx.close());
    const ids = await backlog(database.db, rx.url, 300);
    // A second dispatcher on a pool of its own, as another worker process has.
    const other = createDb(database.url, { applicationName: 'herald-test-second-dispatcher', max: 5 });
    cleanup.push(() => other.destroy());
    const loop = async (db: Db) => {
      let passes = 0;
      while ((await sendDueWebhooks(options(db, 20))) > 0) passes += 1;
      return passes;
    };
    const [a, b] = await Promise.all([loop(database.db), loop(other)]);
    // Both took part, or the test proves nothing about sharing.
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect([...rx.seen.keys()].sort()).toEqual([...ids].sort());
    expect([...rx.seen.values()].every((n) => n === 1)).toBe(true);
    const attempts = await database.db.selectFrom('webhook_attempts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(attempts.n)).toBe(300);
    const states = await database.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).execute();
    expect(states.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  });

  it('a pass whose connection dies mid-pass lets go of its deliveries at once; another pass sends them at once, under the same webhook-id', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => database.drop());
    const rx = await startReceiver();
    cleanup.push(() => rx.close());
    const ids = await backlog(database.db, rx.url, 40);
    // The dying dispatcher: a pool of its own, whose backend is terminated while its requests are held.
    const dying = createDb(database.url, { applicationName: 'herald-test-dying-dispatcher', max: 5 });
    cleanup.push(() => dying.destroy());
    rx.hold();
    const pass = sendDueWebhooks(options(dying, 40));
    const caught = pass.then(
      () => undefined,
      (err: unknown) => err,
    );
    for (const until = Date.now() + 10_000; rx.seen.size < 8 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    expect(rx.seen.size).toBe(8); // the pass is mid-flight: 8 attempts to the one endpoint, held
    const killed = await sql<{ n: number }>`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where application_name = 'herald-test-dying-dispatcher' and state like 'idle in transaction%'`.execute(database.db);
    expect(killed.rows[0]?.n).toBe(1);
    rx.release();
    expect(await caught).toBeInstanceOf(Error);

    // At once, not after a lease: the next pass claims all 40 (none was recorded as attempted).
    const t0 = Date.now();
    expect(await sendDueWebhooks(options(database.db, 100))).toBe(40);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect([...rx.seen.keys()].sort()).toEqual([...ids].sort());
    // The dead pass's process lived on and sent every event once before it found its
    // connection gone; the pass after sent each again under the same webhook-id: twice, no more.
    expect([...rx.seen.values()].every((n) => n === 2)).toBe(true);
    const states = await database.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).execute();
    expect(states.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  });
});
