// Durable events: during a campaign, with ClickHouse down the whole time, the worker process
// and an API process (serving the recipients' open pixels) are SIGKILLed and started again;
// then ClickHouse comes back. Every state change the ledger and the activity log hold must
// reach ClickHouse exactly once: the event ids stored there equal the logged ones, with no
// row twice. Events wait in the PostgreSQL outbox (written in the transaction of their
// change) and the workers' relay ships them; nothing is drained by hand. A webhook endpoint
// subscribed to every event type takes events until the worker kill, then is down (503) until
// `receiverDownMs` after the restart; meanwhile its secret is rotated and the receiver keeps
// only the new one. It verifies each request with `standardwebhooks` and must end with every
// event of the campaign — accepted, approval requested and decided, each delivery's sent and
// opened, completed — exactly once by webhook-id. Delivery is at least once: the events the
// killed dispatcher's pass had sent but not yet recorded go out again under the same webhook-id
// (the receiver drops them by id), so a repeat must be of an event received before the kill,
// and there can be at most one pass of them.
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@clickhouse/client';
import { Webhook } from 'standardwebhooks';
import { sql } from 'kysely';
import { ch, chSql } from '../../analytics/clickhouse-sql.js';
import { CLICKHOUSE_DEFAULTS } from '../../analytics/clickhouse-store.js';
import { DELIVERY_EVENT_TYPES } from '../../analytics/events.js';
import { NOTIFICATION_EVENT_TYPES } from '../../domain/events/notification-events.js';
import { DELIVERY_TOPIC_PREFIX } from '../../domain/events/outbox.js';
import { WEBHOOK_EVENT_TYPES } from '../../domain/events/webhooks.js';
import { WEBHOOK_PASS_SIZE } from '../../workers/webhook-dispatcher.js';
import { freePort } from '../../common/free-port.js';
import { startCaptureSmtp, type CapturedMail } from '../../local/capture-smtp.js';
import { startClickHouse, type LocalClickHouse } from '../../local/clickhouse.js';
import { countUnshippedOutbox } from '../../schema/queries/event-outbox.js';
import { seedUsers, startBulk, waitAllFinal, type ScenarioResult } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { createDatabase } from '../lib/database.js';
import { startHerald } from '../lib/herald.js';
import { sleep, startNodeProcess, until, type ChildProc } from '../lib/processes.js';

export interface EventsCrashParams {
  n: number;
  /** The worker is killed once this share of the mails arrived. */
  killAtFraction: number;
  restartAfterMs: number;
  /** The webhook receiver stays down this long after the restart. */
  receiverDownMs: number;
  timeoutMs: number;
}

export interface EventsCrashResult {
  ok: boolean;
  problems: string[];
  /** Mails at the SMTP server when the worker was killed, and opens answered when the API was. */
  mailsAtWorkerKill: number;
  opensAtApiKill: number;
  /** Outbox rows waiting for ClickHouse just before it came back. */
  waitingInOutbox: number;
  /** Event ids in the activity log (the expected set) and rows in ClickHouse. */
  logged: number;
  clickhouseRows: number;
  clickhouseDistinct: number;
  missing: number;
  unexpected: number;
  byType: Record<string, { logged: number; clickhouse: number }>;
  ledger: { rows: number; sent: number };
  /** Open pixels fetched: one per mail received, so a mail the worker kill doubled counts twice. */
  mailsOpened: number;
  /** From ClickHouse's return to the outbox being empty. */
  shipMs: number;
  webhooks: {
    expected: number;
    received: number;
    distinct: number;
    missing: number;
    unexpected: number;
    refusedWhileDown: number;
    unverified: number;
    /** Received before the rotation (old secret) and after it (verified by the new secret alone). */
    beforeRotation: number;
    afterRotation: number;
    /** Distinct events received per type. */
    byType: Record<string, number>;
    /** Events received more than once: the killed pass's, sent before the kill and not yet recorded. */
    repeated: number;
  };
}

/** A receiver that verifies with standardwebhooks against the secrets it holds now, and answers 503 while `down()`. */
async function webhookReceiver(secrets: () => readonly string[], down: () => boolean) {
  const got: { id: string; type: string }[] = [];
  let refused = 0;
  let unverified = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
      const body = Buffer.concat(chunks).toString('utf8');
      let event: { type: string } | undefined;
      for (const s of secrets()) {
        try {
          event = new Webhook(s).verify(body, headers) as { type: string };
          break;
        } catch {
          /* the next secret */
        }
      }
      if (!event) {
        unverified += 1;
        res.writeHead(401).end();
        return;
      }
      if (down()) {
        refused += 1;
        res.writeHead(503).end('down');
        return;
      }
      got.push({ id: headers['webhook-id'], type: event.type });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, refused: () => refused, unverified: () => unverified, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const PIXEL = /\/t\/o\/([A-Za-z0-9._~-]+)/;

export async function eventsCrash(ctx: ScenarioContext, p: EventsCrashParams): Promise<EventsCrashResult> {
  let chServer: LocalClickHouse = await startClickHouse();
  const chDir = chServer.dir;
  const smtp = await startCaptureSmtp({ keep: p.n * 2 + 100 });
  const db = await createDatabase();
  const h = await startHerald({
    temporalAddress: ctx.temporalAddress,
    databaseUrl: db.url,
    smtp,
    bundlePath: ctx.bundlePath,
    workers: 'child',
    env: {
      CLICKHOUSE_URL: chServer.url,
      HERALD_EVENT_RELAY_INTERVAL_MS: '200',
      HERALD_EVENT_RELAY_RETRY_MAX_MS: '1000',
      HERALD_WEBHOOK_RETRY_SCHEDULE: '0.5,1,2,4,8,8,8,8,8,8,8,8,8,8,8,8',
      HERALD_WEBHOOK_INTERVAL_MS: '200',
      HERALD_BULK_BATCH_SIZE: '50',
      HERALD_BULK_CONCURRENCY: '10',
      HERALD_WORKER_SLOTS: '12',
      HERALD_DELIVERY_TIMEOUT_MS: '5000',
      HERALD_RETRY_INITIAL_MS: '200',
      HERALD_RETRY_MAX_INTERVAL_MS: '2000',
    },
  });
  // The API whose open pixels the recipients hit: a process of its own, so it can be SIGKILLed.
  const apiPort = await freePort();
  const apiEnv = { ...h.env, HERALD_PORT: String(apiPort), HERALD_OPS_PORT: String(await freePort()), HERALD_OPS_HOST: '127.0.0.1', HERALD_DRAIN_DELAY_MS: '0' };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  let api: ChildProc | undefined;
  const startApi = async () => {
    const proc = startNodeProcess('api/main.ts', apiEnv);
    api = proc;
    await until('API process ready', async () => {
      if (proc.child.exitCode !== null) throw new Error(`API exited ${proc.child.exitCode}: ${proc.log.slice(-20).join('\n')}`);
      return (await fetch(`${apiUrl}/readyz`)).ok ? true : undefined;
    }, 120_000, 100);
  };
  const chClient = () => createClient({ url: chServer.url });
  let opening = true;
  let secrets: string[] = [];
  let receiverDown = false;
  const receiver = await webhookReceiver(() => secrets, () => receiverDown);
  try {
    await startApi();
    await seedUsers(h, p.n);
    if ((await h.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status !== 200) throw new Error('allowlist');
    const endpoint = await h.request('POST', '/v1/webhooks', { url: receiver.url, eventTypes: WEBHOOK_EVENT_TYPES });
    if (endpoint.status !== 201) throw new Error(`webhook: ${JSON.stringify(endpoint.body)}`);
    secrets = [endpoint.body.secret as string];
    const put = await h.request('PUT', '/v1/templates/news', { email: { subject: 'News {{n}}', html: '<p>Hello {{name}}, the news.</p>', text: 'Hello {{name}}, the news.' } });
    if (put.status >= 300) throw new Error(`template: ${JSON.stringify(put.body)}`);
    if ((await h.request('POST', '/v1/templates/news/publish')).status !== 201) throw new Error('publish failed');
    // Down for the whole campaign (the store creates its table when it first writes).
    await chServer.kill();
    const id = await startBulk(h, { template: 'news' });
    ctx.log(`events-crash: campaign of ${p.n} started with ClickHouse down`);

    // Recipients open their mail through the API process; a request the kill cuts off is tried again.
    const opened = new Set<string>();
    const openOne = async (m: CapturedMail): Promise<void> => {
      const token = PIXEL.exec(m.html ?? '')?.[1];
      if (!token) throw new Error(`no open pixel in the mail to ${m.envelopeTo[0]}`);
      for (;;) {
        try {
          const r = await fetch(`${apiUrl}/t/o/${token}`, { signal: AbortSignal.timeout(5000) });
          await r.arrayBuffer();
          if (r.ok) {
            opened.add(token);
            return;
          }
        } catch {
          /* the API is down: try again */
        }
        await sleep(100);
      }
    };
    const opener = (async () => {
      let next = 0;
      while (opening || next < smtp.mails().length) {
        const mails = smtp.mails();
        const batch = mails.slice(next);
        next = mails.length;
        await Promise.all(batch.map(openOne));
        await sleep(50);
      }
    })();

    await until('mails before the worker kill', () => (smtp.mails().length >= p.n * p.killAtFraction ? true : undefined), p.timeoutMs, 20);
    receiverDown = true;
    await h.killWorkers();
    const mailsAtWorkerKill = smtp.mails().length;
    const beforeRotation = receiver.got.length;
    // The secret rotates during the outage; the receiver deploys the new one and drops the old.
    const rotated = await h.request('POST', `/v1/webhooks/${endpoint.body.id}/rotate-secret`);
    if (rotated.status !== 200) throw new Error(`rotate: ${JSON.stringify(rotated.body)}`);
    secrets = [rotated.body.secret as string];
    await until('opens before the API kill', () => (opened.size >= Math.min(mailsAtWorkerKill, 20) ? true : undefined), p.timeoutMs, 20);
    await api?.kill();
    const opensAtApiKill = opened.size;
    ctx.log(`events-crash: worker SIGKILL after ${mailsAtWorkerKill} mails, API SIGKILL after ${opensAtApiKill} opens`);
    await sleep(p.restartAfterMs);
    await h.startWorkers();
    setTimeout(() => {
      receiverDown = false;
    }, p.receiverDownMs).unref();
    await startApi();
    await waitAllFinal(h, [id], p.timeoutMs);
    await until('every mail opened', () => (opened.size >= p.n ? true : undefined), p.timeoutMs, 100);
    opening = false;
    await opener;

    const waitingInOutbox = await countUnshippedOutbox(h.db);
    chServer = await startClickHouse({ dir: chDir, httpPort: chServer.httpPort, tcpPort: chServer.tcpPort });
    const backAt = Date.now();
    await until('outbox shipped', async () => ((await countUnshippedOutbox(h.db)) === 0 ? true : undefined), p.timeoutMs, 200);
    const shipMs = Date.now() - backAt;
    await until('receiver back', () => (receiverDown ? undefined : true), p.receiverDownMs + 60_000, 100);

    // The expected set: every state change in the activity log that is an analytics event.
    const log = await h.db.selectFrom('delivery_log').select(['event_key', 'event']).where('event', 'in', [...DELIVERY_EVENT_TYPES]).execute();
    const client = chClient();
    const rs = await client.query({ query: chSql`SELECT event_id, type FROM ${ch.identifier(CLICKHOUSE_DEFAULTS.database)}.${ch.identifier('delivery_events')}`.text, format: 'JSONEachRow' });
    const stored = await rs.json<{ event_id: string; type: string }>();
    await client.close();
    const storedIds = new Set(stored.map((r) => r.event_id));
    const loggedIds = new Set(log.map((r) => r.event_key));
    const byType: EventsCrashResult['byType'] = {};
    for (const t of DELIVERY_EVENT_TYPES) byType[t] = { logged: log.filter((r) => r.event === t).length, clickhouse: stored.filter((r) => r.type === t).length };
    const ledgerRow = await sql<{ rows: string; sent: string }>`select count(*)::text as rows, count(sent_at)::text as sent from deliveries where notification_id = ${id}`.execute(h.db);
    const ledger = { rows: Number(ledgerRow.rows[0]?.rows), sent: Number(ledgerRow.rows[0]?.sent) };
    const missing = [...loggedIds].filter((e) => !storedIds.has(e)).length;
    const unexpected = [...storedIds].filter((e) => !loggedIds.has(e)).length;

    // Every logged delivery event of a subscribed type, and the notification's own events,
    // reach the receiver once by webhook-id.
    const hookTopics = new Set(WEBHOOK_EVENT_TYPES.filter((t) => t.startsWith(DELIVERY_TOPIC_PREFIX)).map((t) => t.slice(DELIVERY_TOPIC_PREFIX.length)));
    const expectedHooks = new Set([...log.filter((r) => hookTopics.has(r.event)).map((r) => r.event_key), ...NOTIFICATION_EVENT_TYPES.map((t) => `${id}:${t}`)]);
    await until('webhooks received', () => (new Set(receiver.got.map((g) => g.id)).size >= expectedHooks.size ? true : undefined), p.timeoutMs, 200);
    await sleep(1000); // a duplicate would come late
    const got = new Set(receiver.got.map((g) => g.id));
    const hookTypes: Record<string, number> = {};
    for (const g of new Map(receiver.got.map((x) => [x.id, x.type])).values()) hookTypes[g] = (hookTypes[g] ?? 0) + 1;
    const webhooks = {
      expected: expectedHooks.size,
      received: receiver.got.length,
      distinct: got.size,
      missing: [...expectedHooks].filter((e) => !got.has(e)).length,
      unexpected: [...got].filter((e) => !expectedHooks.has(e)).length,
      refusedWhileDown: receiver.refused(),
      unverified: receiver.unverified(),
      beforeRotation,
      afterRotation: receiver.got.length - beforeRotation,
      byType: hookTypes,
      repeated: 0,
    };
    const arrivals = new Map<string, number[]>();
    receiver.got.forEach((g, i) => arrivals.set(g.id, [...(arrivals.get(g.id) ?? []), i]));
    const repeats = [...arrivals.values()].filter((at) => at.length > 1);
    webhooks.repeated = repeats.length;
    const problems: string[] = [];
    if (webhooks.missing > 0 || webhooks.unexpected > 0) problems.push(`webhooks: ${webhooks.missing} missing, ${webhooks.unexpected} unexpected`);
    const notOfTheKilledPass = repeats.filter((at) => at.length > 2 || (at[0] as number) >= beforeRotation).length;
    if (notOfTheKilledPass > 0) problems.push(`webhooks: ${notOfTheKilledPass} received again that the killed pass had not sent`);
    if (repeats.length > WEBHOOK_PASS_SIZE) problems.push(`webhooks: ${repeats.length} received twice, more than one pass (${WEBHOOK_PASS_SIZE})`);
    if (webhooks.unverified > 0) problems.push(`webhooks: ${webhooks.unverified} failed signature verification`);
    if (webhooks.refusedWhileDown === 0) problems.push('the receiver outage refused nothing');
    if (webhooks.beforeRotation === 0 || webhooks.afterRotation === 0) problems.push(`the rotation did not split the events (${webhooks.beforeRotation} before, ${webhooks.afterRotation} after)`);
    for (const t of [...NOTIFICATION_EVENT_TYPES, 'delivery.sent', 'delivery.opened']) if (!hookTypes[t]) problems.push(`no ${t} webhook received`);
    if (mailsAtWorkerKill <= 0 || mailsAtWorkerKill >= p.n) problems.push(`the worker kill did not land mid-campaign (${mailsAtWorkerKill}/${p.n} mails)`);
    if (opensAtApiKill <= 0) problems.push('the API was killed before it served an open');
    if (waitingInOutbox === 0) problems.push('nothing waited in the outbox while ClickHouse was down');
    if (missing > 0) problems.push(`${missing} logged events missing in ClickHouse`);
    if (unexpected > 0) problems.push(`${unexpected} events in ClickHouse that are not in the log`);
    if (stored.length !== storedIds.size) problems.push(`${stored.length - storedIds.size} rows doubled in ClickHouse`);
    if (byType.queued?.logged !== ledger.rows) problems.push(`queued events ${byType.queued?.logged} ≠ ledger rows ${ledger.rows}`);
    if (byType.sent?.logged !== ledger.sent || ledger.sent !== p.n) problems.push(`sent events ${byType.sent?.logged}, ledger sent ${ledger.sent}, of ${p.n}`);
    if (byType.opened?.logged !== p.n) problems.push(`opened events ${byType.opened?.logged} ≠ ${p.n} mails opened`);
    return {
      ok: problems.length === 0,
      problems,
      mailsAtWorkerKill,
      opensAtApiKill,
      waitingInOutbox,
      logged: loggedIds.size,
      clickhouseRows: stored.length,
      clickhouseDistinct: storedIds.size,
      missing,
      unexpected,
      byType,
      ledger,
      mailsOpened: opened.size,
      shipMs,
      webhooks,
    };
  } finally {
    opening = false;
    await api?.stop();
    await h.stop();
    await smtp.close();
    await db.drop();
    await chServer.stop();
    await receiver.close();
    rmSync(chDir, { recursive: true, force: true });
  }
}

/** The run as a row of the chaos table: lost and duplicated count events (in ClickHouse and at the webhook receiver), not mails. */
export async function eventsCrashScenario(ctx: ScenarioContext, p: EventsCrashParams): Promise<ScenarioResult> {
  const r = await eventsCrash(ctx, p);
  return {
    scenario: `events: ClickHouse down, worker + API SIGKILL, webhook receiver down until ${p.receiverDownMs / 1000} s after, secret rotated meanwhile`,
    sent: r.logged,
    delivered: r.clickhouseDistinct,
    lost: r.missing + r.webhooks.missing,
    duplicated: r.clickhouseRows - r.clickhouseDistinct + (r.webhooks.received - r.webhooks.distinct),
    // ClickHouse rows are never doubled; webhooks repeat at most the killed dispatcher's pass.
    inFlightBound: WEBHOOK_PASS_SIZE,
    recoveryMs: r.shipMs,
    ok: r.ok,
    notes: [`${r.waitingInOutbox} events waited in the outbox`, `webhooks ${r.webhooks.distinct}/${r.webhooks.expected} once each by webhook-id, ${r.webhooks.repeated} of the killed pass sent again (${Object.keys(r.webhooks.byType).length} event types), ${r.webhooks.refusedWhileDown} refused while down, ${r.webhooks.afterRotation} after the rotation on the new secret alone`, ...r.problems],
    details: { ...r },
  };
}
