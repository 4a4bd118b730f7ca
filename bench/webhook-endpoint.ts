// Webhook deliveries per second to ONE endpoint: the dispatcher (domain/events/webhook-send.ts)
// sending a backlog of fanned-out events to a loopback receiver that verifies every signature
// with `standardwebhooks` and counts each event id, on the machine's PostgreSQL. Two receivers:
// one that answers at once, one that takes 20 ms per request (an endpoint across a network).
// Each is measured with one attempt in flight per endpoint (how the dispatcher sent before:
// an endpoint's events in order, one at a time) and with the default ENDPOINT_CONCURRENCY, in
// the same run. The bulk send rate it is set against is the last committed bulk benchmark's.
//   npx tsx bench/webhook-endpoint.ts [--n 600]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { createLogger } from '../common/logger.js';
import { createSecretBox } from '../common/secret-box.js';
import { notificationOutboxRow } from '../domain/events/notification-events.js';
import { ENDPOINT_CONCURRENCY, sendDueWebhooks, type WebhookSendOptions } from '../domain/events/webhook-send.js';
import { createEndpoint, fanOutToWebhooks } from '../domain/events/webhooks.js';
import { insertTenantIfMissing, updateTenant } from '../schema/queries/tenants.js';
import type { EventOutboxRow } from '../schema/tables/event-outbox.js';
import { createTestDatabase } from '../testkit/database.js';
import { goal, printResult, RESULTS_DIR, round, runSpan, runStart, writeResult, type BenchResult } from './report.js';

/** What workers/start.ts gives the dispatcher. */
const WORKER_BATCH = 200;
const WORKER_CONCURRENCY = 16;

async function receiver(delayMs: number) {
  const seen = new Map<string, number>();
  let unverified = 0;
  let secret = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
      try {
        new Webhook(secret).verify(Buffer.concat(chunks).toString('utf8'), headers);
      } catch {
        unverified += 1;
        res.writeHead(401).end();
        return;
      }
      seen.set(headers['webhook-id'], (seen.get(headers['webhook-id']) ?? 0) + 1);
      setTimeout(() => res.writeHead(204).end(), delayMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen,
    setSecret: (s: string) => (secret = s),
    unverified: () => unverified,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface Measured {
  seconds: number;
  rate: number;
  received: number;
  duplicates: number;
  unverified: number;
}

async function measure(n: number, delayMs: number, endpointConcurrency: number, label: string): Promise<Measured> {
  const database = await createTestDatabase();
  const rx = await receiver(delayMs);
  try {
    const db = database.db;
    const secretBox = createSecretBox('bench-webhook-endpoint-secret-key');
    const tenantId = 'bench';
    await insertTenantIfMissing(db, { id: tenantId, name: tenantId, timezone: 'UTC' });
    await updateTenant(db, tenantId, { outbound_allowlist: ['127.0.0.1/32'] });
    const { secret } = await createEndpoint({ db, secretBox, rotationGraceMs: 0 }, { tenantId, keyId: 'bench' }, { url: rx.url, eventTypes: ['notification.completed'] });
    rx.setSecret(secret);
    // A backlog of n events, fanned out as the relay does (one delivery each).
    const now = new Date();
    const rows: EventOutboxRow[] = Array.from({ length: n }, (_, i) => {
      const r = notificationOutboxRow(tenantId, { type: 'notification.completed', notificationId: `ntf_bench_${label}_${i}`, status: 'completed', reason: null, counts: { total: 1, sent: 1 } });
      return { ...r, seq: String(i + 1), payload: JSON.parse(r.payload) as Record<string, unknown>, created_at: now, shipped_at: null, fanned_out_at: null };
    });
    for (let i = 0; i < n; i += 1000) await db.transaction().execute((tx) => fanOutToWebhooks(tx, rows.slice(i, i + 1000)));

    const o: WebhookSendOptions = {
      db,
      secretBox,
      logger: createLogger('warn', 'bench'),
      retryScheduleMs: [1000],
      disableAfterMs: 3_600_000,
      timeoutMs: 10_000,
      batchSize: WORKER_BATCH,
      concurrency: WORKER_CONCURRENCY,
      endpointConcurrency,
    };
    const t0 = performance.now();
    while (rx.seen.size < n) {
      if ((await sendDueWebhooks(o)) === 0 && rx.seen.size < n) await new Promise((r) => setTimeout(r, 20));
      if (performance.now() - t0 > 600_000) throw new Error(`${label}: ${rx.seen.size}/${n} after 10 minutes`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const received = [...rx.seen.values()].reduce((a, b) => a + b, 0);
    return { seconds, rate: n / seconds, received, duplicates: received - rx.seen.size, unverified: rx.unverified() };
  } finally {
    await rx.close();
    await database.drop();
  }
}

/** The last committed bulk benchmark's rate (mails/s, one worker process). */
function bulkRate(): { rate: number; at: string } {
  const r = JSON.parse(readFileSync(join(RESULTS_DIR, 'bulk-throughput.json'), 'utf8')) as BenchResult;
  const row = r.rows.find((x) => String(x.sender).startsWith('Herald, one worker process'));
  return { rate: Number(row?.['mails/s'] ?? NaN), at: r.startedAt };
}

export async function benchWebhookEndpoint(n: number): Promise<BenchResult> {
  const start = runStart();
  const bulk = bulkRate();
  const cases = [
    { receiver: 'answers at once', delayMs: 0 },
    { receiver: 'answers after 20 ms', delayMs: 20 },
  ];
  const rows: BenchResult['rows'] = [];
  const rates: Record<string, { one: number; many: number }> = {};
  for (const c of cases) {
    const one = await measure(n, c.delayMs, 1, `one-${c.delayMs}`);
    const many = await measure(n, c.delayMs, ENDPOINT_CONCURRENCY, `many-${c.delayMs}`);
    rates[c.receiver] = { one: one.rate, many: many.rate };
    for (const [mode, m] of [
      ['one at a time (before)', one],
      [`${ENDPOINT_CONCURRENCY} at once (now)`, many],
    ] as const) {
      if (m.duplicates !== 0 || m.unverified !== 0 || m.received < n) throw new Error(`${c.receiver}, ${mode}: ${JSON.stringify(m)}`);
      rows.push({ receiver: c.receiver, 'in flight per endpoint': mode, events: n, seconds: round(m.seconds, 2), 'deliveries/s': round(m.rate), 'vs bulk mails/s': round(m.rate / bulk.rate, 2) });
    }
  }
  const slow = rates['answers after 20 ms'] ?? { one: NaN, many: NaN };
  const fast = rates['answers at once'] ?? { one: NaN, many: NaN };
  const r: BenchResult = {
    name: 'webhook-endpoint',
    title: 'Webhook deliveries per second to one endpoint',
    mode: n === 600 ? 'quick' : 'custom',
    ...runSpan(start),
    params: { n, batch: WORKER_BATCH, concurrency: WORKER_CONCURRENCY, endpointConcurrency: ENDPOINT_CONCURRENCY, bulkMailsPerSecond: bulk.rate, bulkMeasuredAt: bulk.at },
    columns: ['receiver', 'in flight per endpoint', 'events', 'seconds', 'deliveries/s', 'vs bulk mails/s'],
    rows,
    goals: [
      goal('one endpoint answering in 20 ms: deliveries/s / bulk mails/s (one worker)', slow.many / bulk.rate, '>=', 1),
      goal('one endpoint answering at once: deliveries/s / bulk mails/s (one worker)', fast.many / bulk.rate, '>=', 1),
    ],
    notes: [
      `One dispatcher (one worker process; every worker runs one), passes of ${WORKER_BATCH} leased deliveries, ${WORKER_CONCURRENCY} attempts in flight, each signed and recorded in the attempt log; the receiver verified every signature with standardwebhooks and got every event once.`,
      `Bulk rate: ${bulk.rate} mails/s from bench/results/bulk-throughput.json (${bulk.at.slice(0, 10)}); a campaign makes one delivery.sent per mail, more with opens and clicks.`,
      `Before/after in the same run: ${round(slow.one)} → ${round(slow.many)} deliveries/s with the 20 ms receiver, ${round(fast.one)} → ${round(fast.many)} with the immediate one.`,
    ],
    chart: { unit: 'deliveries per second', series: ['one at a time', `${ENDPOINT_CONCURRENCY} at once`], groups: cases.map((c) => ({ label: `receiver ${c.receiver}`, values: [round(rates[c.receiver]?.one ?? 0), round(rates[c.receiver]?.many ?? 0)] })) },
  };
  return r;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '600' } } });
  const r = await benchWebhookEndpoint(Number(values.n));
  printResult(r);
  console.log(`wrote ${writeResult(r)}`);
  process.exit(0);
}
