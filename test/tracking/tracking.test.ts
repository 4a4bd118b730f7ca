// Tracking end to end, the same suite against both analytics stores: a real stack (Temporal,
// PostgreSQL, SMTP) whose workers and API record into PostgreSQL, or into a real ClickHouse
// when CLICKHOUSE_URL is set. The SMTP server refuses some recipients like a real one would.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracker } from '../../domain/tracking/tracker.js';
import { CSV_COLUMNS } from '../../analytics/report.js';
import { DELIVERY_EVENT_TYPES } from '../../analytics/events.js';
import { createLogger } from '../../common/logger.js';
import { signTrackingToken } from '../../domain/links/tracking-links.js';
import type { Responder } from '../../local/capture-smtp.js';
import { startClickHouse } from '../../local/clickhouse.js';
import { event, T0 } from '../analytics/dataset.js';
import { eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { twilioApi } from '../providers/twilio.js';

const responder: Responder = (stage, { to, attempt }) => {
  if (stage === 'rcpt' && to.startsWith('flaky@') && attempt <= 2) return { code: 451, message: '4.3.0 Try again later' };
  if (stage === 'rcpt' && to.startsWith('gone@')) return { code: 550, message: '5.1.1 No such user here' };
  if (stage === 'rcpt' && to.startsWith('busy@')) return { code: 421, message: '4.7.0 Service not available' };
  return undefined;
};

const HTML =
  '<html><body><p>Hello {{name}}</p><p><a href="https://example.com/a?x=1&amp;y=2">A</a> ' +
  "<a class=\"btn\" href='https://example.com/b'>B</a> <a href=\"mailto:help@example.com\">mail</a></p></body></html>";

interface Backend {
  name: string;
  /** p50, p95, p99 of 1..100 ms under the store's documented definition. */
  percentiles: [number, number, number];
  start(): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

const backends: Backend[] = [
  { name: 'postgres', percentiles: [50.5, 95.05, 99.01], start: async () => ({ env: {}, stop: async () => {} }) },
  {
    name: 'clickhouse',
    percentiles: [51, 96, 100],
    async start() {
      const server = await startClickHouse();
      return { env: { CLICKHOUSE_URL: server.url }, stop: () => server.stop() };
    },
  },
];

type Counts = Record<string, number>;

describe.each(backends)('tracking and analytics: $name', (backend) => {
  let stack: TestStack;
  let stopBackend: () => Promise<void> = async () => {};
  const ids: Record<string, string> = {};
  const ledger: Counts = { total: 0, sent: 0, delivered: 0, failed: 0, suppressed: 0, expired: 0 };
  let range: { from: string; to: string };

  const send = async (key: string, template: string, userIds: string[]) => {
    const r = await stack.request('POST', '/v1/notifications', { template, to: { userIds }, data: { name: key } });
    expect(r.status).toBe(202);
    ids[key] = r.body.id;
    return r.body.id as string;
  };
  // What the workers' relay does on its own timer, now.
  const flush = async () => {
    await stack.workers.relay?.drain();
  };
  const summary = (query: string, key?: string) =>
    stack.request('GET', `/v1/analytics/summary?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}&${query}`, undefined, key ? { key } : {});
  const timeline = async (id: string) => {
    const r = await stack.request('GET', `/v1/notifications/${id}/events?limit=200`);
    expect(r.status).toBe(200);
    return r.body.items as any[];
  };

  beforeAll(async () => {
    const b = await backend.start();
    stopBackend = b.stop;
    stack = await startStack({ smtp: { respond: responder }, env: b.env });
    // The provider's local receivers are on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const started = Date.now();
    range = { from: new Date(started - 3_600_000).toISOString(), to: new Date(started + 3_600_000).toISOString() };
    for (const [key, content] of [
      ['welcome', { email: { subject: 'Hi {{name}}', html: HTML } }],
      ['quiet', { email: { subject: 'Quiet {{name}}', html: HTML, tracking: false } }],
    ] as const) {
      expect((await stack.request('PUT', `/v1/templates/${key}`, content)).status).toBeLessThan(300);
      expect((await stack.request('POST', `/v1/templates/${key}/publish`)).status).toBe(201);
    }
    for (const u of ['ok1', 'ok2', 'ok3', 'flaky', 'gone', 'busy']) await stack.request('PUT', `/v1/users/${u}`, { name: u, email: `${u}@example.com` });
    await stack.request('PUT', '/v1/users/nomail', { name: 'No mail' });

    await send('mixed', 'welcome', ['ok1', 'ok2', 'nomail']);
    await send('gone', 'welcome', ['gone']);
    await send('flaky', 'welcome', ['flaky']);
    await send('busy', 'welcome', ['busy']);
    await send('quiet', 'quiet', ['ok3']);
    for (const id of Object.values(ids)) {
      const done = await waitForFinal(stack, id);
      for (const k of Object.keys(ledger)) ledger[k] = (ledger[k] ?? 0) + (done.counts[k] as number);
    }
    await flush();
  });

  afterAll(async () => {
    await stack?.stop();
    await stopBackend();
  });

  it('counts exactly what the ledger holds, and a re-recorded change counts once', async () => {
    // The run itself: 7 ledger rows, of which 4 sent (one after two 451s), 2 failed (550;
    // 421 until retries ran out), 1 suppressed by policy (no address).
    expect(ledger).toEqual({ total: 7, sent: 4, delivered: 0, failed: 2, suppressed: 1, expired: 0 });
    const expected = { queued: ledger.total! - ledger.suppressed!, sent: ledger.sent, delivered: 0, failed: ledger.failed, suppressed: ledger.suppressed, expired: 0, recalled: 0 };
    const r = await summary('interval=hour&groupBy=status');
    expect(r.status).toBe(200);
    expect(r.body.totals.counts).toMatchObject(expected);
    // Grouped by status, each group holds only its own type.
    for (const b of r.body.buckets) expect(b.total).toBe(b.counts[b.group]);

    const t0 = performance.now();
    const plain = (await summary('interval=hour')).body;
    const summaryMs = performance.now() - t0;
    expect(plain.totals.counts).toMatchObject(expected);
    const samples = plain.buckets.reduce((n: number, b: any) => n + b.latency.samples, 0);
    expect(samples).toBe(ledger.sent);
    for (const b of plain.buckets.filter((x: any) => x.latency.samples > 0)) {
      expect(b.latency.p50).toBeGreaterThanOrEqual(0);
      expect(b.latency.p99).toBeLessThan(60_000);
      expect(b.latency.p99).toBeGreaterThanOrEqual(b.latency.p50);
    }
    expect(plain.providers).toEqual([{ provider: 'smtp-default', sent: 4, delivered: 0, failed: 2, failureRate: 2 / 6 }]);
    expect(plain.topTemplates.map((t: any) => [t.template, t.sent, t.failed])).toEqual([
      ['welcome', 3, 2],
      ['quiet', 1, 0],
    ]);
    expect(plain.optOuts).toEqual({ optOuts: 0, optIns: 0, unsubscribes: 0, rate: 0 });
    const top = plain.buckets.reduce((a: any, b: any) => (b.latency.samples > a.latency.samples ? b : a));
    console.log(`[measured] ${backend.name}: summary ${summaryMs.toFixed(0)} ms; created→sent over ${top.latency.samples} sends p50/p95/p99 = ${top.latency.p50}/${top.latency.p95}/${top.latency.p99} ms`);

    // A retried activity or a healing re-record runs the tracker again for rows already
    // recorded: neither the log nor the counts may change.
    const before = await timeline(ids.mixed!);
    const again = createTracker({ db: stack.db, logger: createLogger('silent', 'test') });
    const rows = await stack.request('GET', `/v1/notifications/${ids.mixed}/deliveries`);
    for (const id of Object.values(ids)) await again.recordPrepared(id);
    for (const d of rows.body.items) await again.deliveryChanged(d.id);
    await flush();
    expect(await timeline(ids.mixed!)).toEqual(before);
    expect((await summary('interval=hour')).body.totals.counts).toMatchObject(expected);
  });

  it('computes p50/p95/p99 of a known data set as the store defines them', async () => {
    const tenant = `pct${randomBytes(3).toString('hex')}`;
    const created = await stack.request('POST', '/v1/tenants', { id: tenant, name: 'Percentiles', timezone: 'UTC' });
    expect(created.status).toBe(201);
    const key = created.body.adminKey.key as string;
    const events = Array.from({ length: 100 }, (_, i) =>
      event(tenant, 'sent', new Date(T0.getTime() + i * 1000), { createdToSentMs: ((i * 37) % 100) + 1, provider: i % 2 ? 'smtp-a' : 'smtp-b' }),
    );
    events.push(event(tenant, 'failed', new Date(T0.getTime() + 200_000), { provider: 'smtp-a', errorCode: '550' }));
    for (let i = 0; i < 25; i += 1) events.push(event(tenant, 'delivered', new Date(T0.getTime() + 300_000 + i * 1000), { sentToDeliveredMs: 10 }));
    expect((await stack.analytics.write(events)).written).toBe(events.length);
    const q = `from=${T0.toISOString()}&to=${new Date(T0.getTime() + 86_400_000).toISOString()}&interval=day`;
    const r = await stack.request('GET', `/v1/analytics/summary?${q}`, undefined, { key });
    expect(r.status).toBe(200);
    expect(r.body.buckets).toHaveLength(1);
    const [b] = r.body.buckets;
    expect(b.latency).toEqual({ samples: 100, p50: backend.percentiles[0], p95: backend.percentiles[1], p99: backend.percentiles[2] });
    expect(b.deliveryRate).toBe(25 / 101);
    expect(r.body.providers).toEqual([
      { provider: 'smtp-a', sent: 50, delivered: 25, failed: 1, failureRate: 1 / 51 },
      { provider: 'smtp-b', sent: 50, delivered: 0, failed: 0, failureRate: 0 },
    ]);
    // Tenants are apart: the run's tenant sees none of these.
    const mine = await stack.request('GET', `/v1/analytics/summary?${q}`);
    expect(mine.body.buckets).toEqual([]);
    // A reversed range is a rule violation, not a crash.
    const bad = await stack.request('GET', `/v1/analytics/summary?from=${range.to}&to=${range.from}`);
    expect(bad.status).toBe(422);
  });

  it('exports the same buckets as CSV (format=csv or Accept: text/csv)', async () => {
    const json = (await summary('interval=hour&groupBy=status')).body;
    const csv = await summary('interval=hour&groupBy=status&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const accepted = await summary('interval=hour&groupBy=status', undefined);
    expect(accepted.headers.get('content-type')).toMatch(/^application\/json/);
    const negotiated = await stack.request('GET', `/v1/analytics/summary?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}&interval=hour&groupBy=status`, undefined, {
      headers: { accept: 'text/csv' },
    });
    expect(negotiated.body).toBe(csv.body);
    const lines = (csv.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    const cell = (v: unknown) => (v === null ? '' : String(v));
    const expectedRows = json.buckets.map((b: any) =>
      [b.start, b.group, b.total, ...DELIVERY_EVENT_TYPES.map((t) => b.counts[t]), b.deliveryRate, b.latency.samples, b.latency.p50, b.latency.p95, b.latency.p99].map(cell).join(','),
    );
    expect(lines.slice(1)).toEqual(expectedRows);
    expect(expectedRows.length).toBeGreaterThanOrEqual(4);
  });

  it('records opens once per message and clicks once per message per link, and refuses forged links', async () => {
    const mailTo = (addr: string) => stack.smtp.mails().find((m) => m.envelopeTo.includes(addr));
    const m1 = mailTo('ok1@example.com');
    const html = m1?.html ?? '';
    const pixel = /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(html)?.[1];
    const links = [...html.matchAll(/href="([^"]+\/t\/c\/[^"]+)"/g)].map((m) => m[1]!);
    expect(pixel).toBeDefined();
    expect(links).toHaveLength(2);
    expect(html).toContain('href="mailto:help@example.com"');
    expect(html).not.toContain('https://example.com/a');

    for (let i = 0; i < 2; i += 1) {
      const px = await fetch(pixel!);
      expect(px.status).toBe(200);
      expect(px.headers.get('content-type')).toBe('image/gif');
      expect(Buffer.from(await px.arrayBuffer()).subarray(0, 6).toString('latin1')).toBe('GIF89a');
    }
    const follow = async (url: string) => {
      const r = await fetch(url, { redirect: 'manual' });
      return { status: r.status, location: r.headers.get('location') };
    };
    expect(await follow(links[0]!)).toEqual({ status: 302, location: 'https://example.com/a?x=1&y=2' });
    expect(await follow(links[0]!)).toEqual({ status: 302, location: 'https://example.com/a?x=1&y=2' });
    expect(await follow(links[1]!)).toEqual({ status: 302, location: 'https://example.com/b' });
    const ok2Pixel = /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(mailTo('ok2@example.com')?.html ?? '')?.[1];
    expect((await fetch(ok2Pixel!)).status).toBe(200);

    // Forged: another key; tampered: our signature over someone else's URL; wrong kind; garbage.
    const base = `${stack.api.url}/t/c/`;
    const clickToken = links[0]!.slice(links[0]!.indexOf('/t/c/') + 5);
    const [prefix, , sig] = clickToken.split('.');
    const deliveryId = JSON.parse(Buffer.from(clickToken.split('.')[1]!, 'base64url').toString())[0] as string;
    const evilPayload = Buffer.from(JSON.stringify([deliveryId, 'https://evil.example/'])).toString('base64url');
    const forged = signTrackingToken('not-the-herald-signing-key', { kind: 'click', deliveryId, url: 'https://evil.example/' });
    const badSig = `${sig!.slice(0, 10)}${sig![10] === 'A' ? 'B' : 'A'}${sig!.slice(11)}`;
    for (const token of [forged, `${prefix}.${evilPayload}.${sig}`, `${prefix}.${clickToken.split('.')[1]}.${badSig}`, pixel!.slice(pixel!.indexOf('/t/o/') + 5)]) {
      const r = await follow(base + token);
      expect(r.status).toBe(404);
      expect(r.location).toBeNull();
    }
    expect((await follow(`${base}not$a$token`)).status).toBe(400);
    expect((await fetch(`${stack.api.url}/t/o/${forged}`)).status).toBe(404);

    await flush();
    const counts = (await summary('interval=hour')).body.totals.counts;
    expect(counts).toMatchObject({ opened: 2, clicked: 2 });
    const entries = await timeline(ids.mixed!);
    expect(entries.filter((e) => e.event === 'opened').map((e) => e.deliveryId).sort()).toHaveLength(2);
    expect(entries.filter((e) => e.event === 'clicked').map((e) => e.details.url).sort()).toEqual(['https://example.com/a?x=1&y=2', 'https://example.com/b']);

    // Switched off per template (quiet) and per tenant: the html goes out as written.
    const quiet = mailTo('ok3@example.com')?.html ?? '';
    expect(quiet).not.toContain('/t/');
    expect(quiet).toContain('href="https://example.com/a?x=1&amp;y=2"');
    expect((await stack.request('PATCH', '/v1/tenant', { tracking: false })).body.tracking).toBe(false);
    const before = stack.smtp.mails().length;
    const off = await send('off', 'welcome', ['ok2']);
    await waitForFinal(stack, off);
    const [offMail] = (await stack.smtp.waitForCount(before + 1)).slice(before);
    expect(offMail?.html).not.toContain('/t/');
    expect((await stack.request('PATCH', '/v1/tenant', { tracking: true })).body.tracking).toBe(true);
  });

  it('lists each notification’s timeline: policy decisions with reasons, every attempt, the outcome', async () => {
    const shape = (e: any) => [e.event, e.attempt, e.provider, e.errorCode];
    const flaky = await timeline(ids.flaky!);
    expect(flaky.map(shape)).toEqual([
      ['queued', null, null, null],
      ['attempt_failed', 1, 'smtp-default', '451'],
      ['attempt_failed', 2, 'smtp-default', '451'],
      ['sent', 3, 'smtp-default', null],
      ['finished', null, null, null],
    ]);
    expect(flaky[1].reason).toContain('4.3.0 Try again later');
    expect(flaky[4].details).toMatchObject({ status: 'completed' });

    const busy = await timeline(ids.busy!);
    expect(busy.map((e) => e.event)).toEqual(['queued', 'attempt_failed', 'attempt_failed', 'attempt_failed', 'attempt_failed', 'failed', 'finished']);
    expect(busy.filter((e) => e.event === 'attempt_failed').map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    expect(busy[5]).toMatchObject({ event: 'failed', attempt: 4, provider: 'smtp-default', errorCode: '421' });
    expect(busy[5].reason).toContain('4.7.0 Service not available');
    expect(busy[6]).toMatchObject({ event: 'finished', reason: 'no delivery succeeded' });

    const gone = await timeline(ids.gone!);
    expect(gone.map(shape).slice(0, 2)).toEqual([
      ['queued', null, null, null],
      ['failed', 1, 'smtp-default', '550'],
    ]);
    expect(gone[1].reason).toContain('5.1.1 No such user here');

    const mixed = await timeline(ids.mixed!);
    const byUser = (u: string) => mixed.filter((e) => e.userId === u).map((e) => [e.event, e.reason]);
    expect(byUser('nomail')).toEqual([['suppressed', 'no_identity']]);
    expect(byUser('ok1').slice(0, 2)).toEqual([
      ['queued', null],
      ['sent', null],
    ]);

    // Paged with a cursor, the pages are the whole list in order.
    const pages: any[] = [];
    let cursor: string | null = null;
    do {
      const r = await stack.request('GET', `/v1/notifications/${ids.busy}/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      pages.push(...r.body.items);
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual(busy);
    expect((await stack.request('GET', '/v1/notifications/ntf_nope/events')).status).toBe(404);
    expect((await stack.request('GET', `/v1/notifications/${ids.busy}/events?cursor=x`)).status).toBe(400);
  });

  it('records provider receipts (delivered, with sent→delivered time) and recalls', async () => {
    const TWILIO = { sid: 'AC0123456789abcdef0123456789abcdef', token: 'twilio-auth-token-1' };
    const twilio: Receiver = await startReceiver(twilioApi(TWILIO.sid, TWILIO.token));
    try {
      const put = await stack.request('PUT', '/v1/providers/tw', { channel: 'sms', kind: 'twilio', config: { accountSid: TWILIO.sid, authToken: TWILIO.token, from: '+15005550006', apiBaseUrl: twilio.baseUrl } });
      expect(put.status).toBe(201);
      await stack.request('PUT', '/v1/users/cat', { name: 'Cat', phone: '+8613800138000' });
      await stack.request('PUT', '/v1/templates/notice', { sms: { text: 'Notice {{name}}' }, inapp: { title: 'Notice', body: 'For {{name}}' } });
      await stack.request('POST', '/v1/templates/notice/publish');
      const id = await send('notice', 'notice', ['cat']);
      await waitForFinal(stack, id);
      // The fake Twilio posts a signed `delivered` callback to /v1/receipts/tw.
      await eventually(async () => ((await timeline(id)).some((e) => e.event === 'delivered') ? true : undefined));
      const recall = await stack.request('POST', `/v1/notifications/${id}/recall`);
      expect(recall.body.recalled).toBe(1);
      const entries = await timeline(id);
      const sms = entries.filter((e) => e.channel === 'sms').map((e) => [e.event, e.provider]);
      expect(sms).toEqual([
        ['queued', null],
        ['sent', 'tw'],
        ['delivered', 'tw'],
      ]);
      const [sent, delivered] = entries.filter((e) => e.channel === 'sms').slice(1);
      expect(delivered.details.sentToDeliveredMs).toBe(Date.parse(delivered.at) - Date.parse(sent.at));
      expect(sent.details.createdToSentMs).toBeGreaterThanOrEqual(0);
      expect(entries.filter((e) => e.channel === 'inapp').map((e) => [e.event, e.provider])).toEqual([
        ['queued', null],
        ['sent', 'inbox'],
        ['recalled', 'inbox'],
      ]);
      await flush();
      const q = `interval=hour&groupBy=template`;
      const notice = (await summary(q)).body.buckets.filter((b: any) => b.group === 'notice');
      const sum = (t: string) => notice.reduce((n: number, b: any) => n + b.counts[t], 0);
      expect([sum('queued'), sum('sent'), sum('delivered'), sum('recalled')]).toEqual([2, 2, 1, 1]);
      const ledger = (await stack.request('GET', `/v1/notifications/${id}`)).body.counts;
      expect(ledger).toMatchObject({ delivered: 1, recalled: 1 });
    } finally {
      await twilio.close();
    }
  });

  it('describes every new route in /openapi.json', async () => {
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/t/o/{token}', '/t/c/{token}', '/v1/notifications/{id}/events', '/v1/analytics/summary']));
    expect(Object.keys(doc.paths['/v1/analytics/summary'].get.responses['200'].content)).toEqual(['application/json', 'text/csv']);
  });
});
