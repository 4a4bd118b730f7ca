// Horizontal scale, with real processes: two API processes and two worker processes share one
// database, one Temporal namespace and one set of task queues. Work spreads over both workers;
// every mail arrives exactly once; SIGTERM on a worker mid-load drains its in-flight
// activities (no timeouts, no retried attempts, nothing lost or sent twice).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../common/free-port.js';
import { startCaptureSmtp, type CaptureSmtp } from '../../local/capture-smtp.js';
import { createHeraldClient, type HeraldClient } from '../../sdk/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';
import { ADMIN_KEY, eventually } from '../../testkit/stack.js';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags.js';

const ROOT = join(import.meta.dirname, '../..');
const EventType = proto.temporal.api.enums.v1.EventType;
const FINAL = new Set(['completed', 'partially_failed', 'failed', 'expired', 'cancelled', 'rejected']);
const N = 40;

interface Proc {
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
}

/**
 * `node --import tsx <entry>` is what `npx tsx <entry>` runs, minus the wrapper processes, so
 * SIGTERM reaches the service itself.
 */
function startProcess(entry: string, env: Record<string, string>, nodeArgs: readonly string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const collect = (chunk: Buffer) => log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log, exited };
}

const eventMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

describe('two APIs and two workers', () => {
  let database: TestDatabase;
  let smtp: CaptureSmtp;
  let connection: Connection;
  let temporal: Client;
  const apiProcs: Proc[] = [];
  const workers: Proc[] = [];
  /** One SDK client per API process; request i goes to API i % 2. The SDK rides out 429s. */
  const heralds: HeraldClient[] = [];
  const api = (i: number): HeraldClient => heralds[i % heralds.length] ?? (heralds[0] as HeraldClient);

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startCaptureSmtp({ keep: 10_000 });
    const common = {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      HERALD_TASK_QUEUE_PREFIX: `s${randomBytes(4).toString('hex')}`,
      SMTP_URL: smtp.url,
      HERALD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      // Few slots per worker, so a backlog builds up and both workers have to take part.
      HERALD_WORKER_SLOTS: '6',
      LOG_LEVEL: 'info',
    };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      // Each API its own ops listener (HERALD_OPS_PORT), or the second could not bind the default.
      apiProcs.push(startProcess('api/main.ts', { ...common, HERALD_PORT: String(port), HERALD_OPS_PORT: String(await freePort()), HERALD_OPS_HOST: '127.0.0.1', HERALD_DRAIN_DELAY_MS: '0' }));
      heralds.push(createHeraldClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: ADMIN_KEY, retries: 10 }));
      workers.push(startProcess('workers/main.ts', common, WORKER_NODE_FLAGS));
    }
    connection = await Connection.connect({ address: inject('temporalAddress') });
    temporal = new Client({ connection });
    for (const h of heralds) await eventually(async () => ((await h.request('GET', '/readyz').catch(() => undefined)) ? true : undefined), 120_000, 250);
    // Each worker process builds its workflow bundle at start, as in production without a pre-built one.
    for (const w of workers) await eventually(async () => (w.log.some((l) => l.includes('Herald workers running')) ? true : undefined), 150_000, 250);

    await api(0).templates.put('hello', { email: { subject: 'Hello {{name}} #{{n}}', text: 'Hi {{name}}' } });
    await api(1).templates.publish('hello');
    for (let i = 0; i < N; i++) await api(i).users.put(`u${i}`, { name: `U${i}`, email: `u${i}@example.com` });
  }, 240_000);

  afterAll(async () => {
    const all = [...apiProcs, ...workers];
    for (const p of all) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all(all.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 15_000))])));
    await connection?.close();
    await smtp?.close();
    await database?.drop();
  });

  /** One notification per user, alternating between the two APIs, over all three priorities. */
  function sendBatch(round: number): Promise<string[]> {
    return Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const n = await api(i).notifications.send({ template: 'hello', to: { userIds: [`u${i}`] }, data: { name: `U${i}`, n: round }, priority: (['high', 'medium', 'low'] as const)[i % 3] });
        return n.id;
      }),
    );
  }

  async function waitAllCompleted(batch: string[]): Promise<void> {
    const statuses = await eventually(async () => {
      const s = await Promise.all(batch.map(async (id, i) => (await api(i).notifications.get(id)).status));
      return s.every((x) => FINAL.has(x)) ? s : undefined;
    }, 90_000, 250);
    expect(statuses.every((s) => s === 'completed')).toBe(true);
  }

  /** Who ran each activity task, and any retried or timed-out attempt, from the run histories. */
  async function activityLedger(batch: string[]) {
    const startedBy = new Map<string, number>();
    const completions: { identity: string; at: number }[] = [];
    let retriedOrTimedOut = 0;
    // An activity abandoned by a worker that stopped without draining ends in a timeout.
    let timedOut = 0;
    for (const id of batch) {
      for (const e of (await temporal.workflow.getHandle(id).fetchHistory()).events ?? []) {
        const started = e.activityTaskStartedEventAttributes;
        if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && started) {
          startedBy.set(started.identity ?? '?', (startedBy.get(started.identity ?? '?') ?? 0) + 1);
          if ((started.attempt ?? 1) > 1) retriedOrTimedOut++;
        }
        if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) completions.push({ identity: e.activityTaskCompletedEventAttributes?.identity ?? '?', at: eventMs(e.eventTime) });
        if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) timedOut++;
        if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT || e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED) retriedOrTimedOut++;
      }
    }
    return { startedBy, completions, retriedOrTimedOut, timedOut };
  }

  async function expectEachMailOnce(round: number): Promise<void> {
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive late
    const per = new Map<string, number>();
    for (const m of smtp.mails()) if (m.subject.endsWith(` #${round}`)) per.set(m.envelopeTo[0] ?? '?', (per.get(m.envelopeTo[0] ?? '?') ?? 0) + 1);
    expect(per.size).toBe(N);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
  }

  const identityOf = (p: Proc, ledger: Map<string, number>) => [...ledger.keys()].find((who) => who.startsWith(`${p.child.pid}@`));

  it(`spreads ${N} sends over both APIs and both workers, each mail delivered exactly once`, async () => {
    const t0 = Date.now();
    const batch = await sendBatch(1);
    await waitAllCompleted(batch);
    const elapsed = Date.now() - t0;
    await expectEachMailOnce(1);

    const { startedBy, retriedOrTimedOut, timedOut } = await activityLedger(batch);
    console.log(`round 1: ${N} notifications completed in ${elapsed} ms; activity tasks per worker process: ${JSON.stringify(Object.fromEntries(startedBy))}; retried or timed-out attempts: ${retriedOrTimedOut}`);
    expect(startedBy.size).toBe(2);
    for (const w of workers) expect(startedBy.get(identityOf(w, startedBy) ?? '') ?? 0).toBeGreaterThanOrEqual(10);
    expect(timedOut).toBe(0);
  }, 120_000);

  it('drains a worker on SIGTERM while sends are in flight: all complete, none lost or duplicated', async () => {
    const [victim, survivor] = workers;
    if (!victim || !survivor) throw new Error('workers missing');
    const before = smtp.mails().length;
    const t0 = Date.now();
    const sending = sendBatch(2);
    // Stop the victim as soon as round 2 is visibly under way, with a backlog still queued.
    await eventually(async () => (smtp.mails().length >= before + 3 ? true : undefined), 30_000, 10);
    const sigtermAt = Date.now();
    const deliveredAtSigterm = smtp.mails().length - before;
    victim.child.kill('SIGTERM');
    const batch = await sending;
    expect(await victim.exited).toBe(0);
    const exitedMs = Date.now() - sigtermAt;
    expect(victim.log.some((l) => l.includes('draining workers'))).toBe(true);

    await waitAllCompleted(batch);
    const allDoneMs = Date.now() - t0;
    await expectEachMailOnce(2);

    const { startedBy, completions, retriedOrTimedOut, timedOut } = await activityLedger(batch);
    const victimId = identityOf(victim, startedBy);
    const drained = completions.filter((c) => c.identity === victimId && c.at >= sigtermAt - 50).length;
    console.log(
      `round 2: SIGTERM after ${deliveredAtSigterm}/${N} mails; the worker exited 0 after ${exitedMs} ms, finishing ${drained} activities after the signal; ` +
        `all ${N} completed ${allDoneMs} ms after the first send; activity tasks per worker process: ${JSON.stringify(Object.fromEntries(startedBy))}; retried or timed-out attempts: ${retriedOrTimedOut}`,
    );
    // Graceful: no activity the victim had taken was abandoned to a timeout. (A retry for
    // another reason, e.g. a busy database on a loaded machine, is logged above, not failed:
    // the ledger check below is what proves nothing was sent twice.)
    expect(timedOut).toBe(0);
    const deliveries = await Promise.all(batch.map(async (id, i) => (await api(i).notifications.deliveries(id)).items));
    expect(deliveries.every((d) => d.length === 1 && d[0]?.status === 'sent' && d[0].attempts === 1)).toBe(true);
    // The survivor took over the rest.
    expect(startedBy.get(identityOf(survivor, startedBy) ?? '') ?? 0).toBeGreaterThan(startedBy.get(victimId ?? '') ?? 0);
  }, 120_000);
});
