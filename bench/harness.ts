// What every benchmark needs, started by the benchmark itself: a Temporal dev server of its
// own on a free port, a fresh database on the machine's PostgreSQL, a capture SMTP server and
// a Herald (API + workers) against them, composed as every entry point composes it. Unlike
// testkit/stack.ts it needs no vitest `inject`, so a benchmark is a plain program.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { startCpuMeter, type CpuGroup } from './cpu.js';
import { bootstrapAdminKey } from '../domain/access/bootstrap.js';
import { startApiServer, type ApiServer } from '../api/server.js';
import { readConfig, type HeraldConfig } from '../common/config.js';
import { composeHerald } from '../composition/compose-herald.js';
import { freePort } from '../common/free-port.js';
import { startCaptureSmtp, type CaptureSmtp, type CapturedMail } from '../local/capture-smtp.js';
import { ensureTemporalCli, startDevServer, type DevServer } from '../local/temporal-cli.js';
import type { Db } from '../schema/database.js';
import { FINAL_NOTIFICATION_STATUSES } from '../schema/tables/statuses.js';
import { createKeyForTest } from '../testkit/keys.js';
import { createTestDatabase, type TestDatabase } from '../testkit/database.js';
import { WORKER_NODE_FLAGS } from '../workers/node-flags.js';
import { writeWorkflowBundle } from '../workers/workflow-bundle.js';
import { installTemporalRuntime } from '../workers/runtime.js';
import { startWorkers, type StartedWorkers } from '../workers/start.js';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const SECRET_KEY = 'bench-secret-key-0123456789abcdef';

/** A Temporal dev server and the workflow bundle, both private to one benchmark run. */
export interface TemporalEnv {
  address: string;
  bundlePath: string;
  /** The dev server's process when this run started it; undefined for a shared one. */
  pid?: number;
  stop(): Promise<void>;
}

/** Reuses `existing` (the tests' server) when given; otherwise starts and later stops its own. */
export async function startTemporalEnv(existing?: { address: string; bundlePath: string }): Promise<TemporalEnv> {
  // Quiet, before the bare baselines' workers would install a chatty default one.
  await installTemporalRuntime({ coreMetrics: false });
  if (existing) return { ...existing, stop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const [server, bundlePath]: [DevServer, string] = await Promise.all([
    (async () => startDevServer({ cli: ensureTemporalCli(), port: await freePort() }))(),
    writeWorkflowBundle(join(dir, 'workflow-bundle.js')),
  ]);
  return {
    address: server.address,
    bundlePath,
    ...(server.process.pid ? { pid: server.process.pid } : {}),
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HeraldOptions {
  temporal: TemporalEnv;
  env?: Record<string, string>;
  /** 'inprocess' (default) runs the workers in this process; 'none' runs only the API. */
  workers?: 'inprocess' | 'none';
  onMail?: (mail: CapturedMail) => void;
  /** Mails kept by the capture server (envelope only: parsing would cost more than sending). */
  keep?: number;
}

export interface Herald {
  config: HeraldConfig;
  /** The environment a worker process needs to join this Herald (see startWorkerProcess). */
  workerEnv: Record<string, string>;
  db: Db;
  database: TestDatabase;
  smtp: CaptureSmtp;
  api: ApiServer;
  workers: StartedWorkers | undefined;
  client: Client;
  request(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startHerald(o: HeraldOptions): Promise<Herald> {
  const database = await createTestDatabase();
  const port = await freePort();
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: o.keep ?? 100, ...(o.onMail ? { onMail: o.onMail } : {}) });
  const workerEnv: Record<string, string> = {
    TEMPORAL_ADDRESS: o.temporal.address,
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    HERALD_TASK_QUEUE_PREFIX: `b${randomBytes(4).toString('hex')}`,
    HERALD_BOOTSTRAP_ADMIN_KEY: BENCH_ADMIN_KEY,
    HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    HERALD_SECRET_KEY: SECRET_KEY,
    LOG_LEVEL: 'silent',
    ...o.env,
  };
  const config = readConfig(workerEnv);
  const herald = composeHerald(config, { service: 'herald-bench', db: database.db, mailCapture: smtp });
  await bootstrapAdminKey(database.db, BENCH_ADMIN_KEY);
  const workers = o.workers === 'none' ? undefined : await startWorkers(config, await herald.workers(), { workflowBundle: { codePath: o.temporal.bundlePath } });
  const { deps } = herald.api();
  const client = deps.temporal.client;
  const api = await startApiServer(deps, port, '127.0.0.1');
  return {
    config,
    workerEnv,
    db: database.db,
    database,
    smtp,
    api,
    workers,
    client,
    async request(method, path, body, key = BENCH_ADMIN_KEY) {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${api.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
    async stop() {
      await api.close();
      await workers?.stop();
      await herald.close();
      await smtp.close();
      await database.drop();
    },
  };
}

export function userLine(id: string, group: string): string {
  return JSON.stringify({ id, name: id, email: `${id}@example.com`, groups: [group] });
}

/** Imports `count` users `<prefix>0…` into `group`, in chunks so one request stays small. */
export async function importUsers(h: Herald, prefix: string, count: number, group: string): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  for (let i = 0; i < ids.length; i += 20_000) {
    const body = ids.slice(i, i + 20_000).map((id) => userLine(id, group)).join('\n');
    const res = await fetch(`${h.api.url}/v1/users/import`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/x-ndjson' }, body });
    if (res.status >= 300) throw new Error(`import: ${res.status} ${await res.text()}`);
  }
  return ids;
}

export const BENCH_TEMPLATE = { subject: 'Sale {{n}} for {{name}}', text: 'Hello {{name}}, the sale starts now.', html: '<p>Hello <b>{{name}}</b>, the sale starts now.</p>' };

export async function publishTemplate(h: Herald, key = 'campaign'): Promise<void> {
  const put = await h.request('PUT', `/v1/templates/${key}`, { email: BENCH_TEMPLATE });
  if (put.status >= 300) throw new Error(`template: ${JSON.stringify(put.body)}`);
  const pub = await h.request('POST', `/v1/templates/${key}/publish`);
  if (pub.status !== 201) throw new Error(`publish: ${JSON.stringify(pub.body)}`);
}

/** Creates a bulk send to `group` and returns a function that approves it with a second key. */
/** `run` goes into the data: campaigns of one audience that differ in it are not duplicates. */
export async function prepareCampaign(h: Herald, group: string, priority: 'low' | 'medium' | 'high' = 'low', run = '1'): Promise<{ id: string; approve(): Promise<void> }> {
  const approver = await createKeyForTest(h.db, 'default', ['approve']);
  const created = await h.request('POST', '/v1/notifications', { template: 'campaign', to: { groups: [group] }, data: { n: run }, priority });
  if (created.body?.status !== 'pending_approval') throw new Error(`campaign: ${created.status} ${JSON.stringify(created.body)}`);
  const id = String(created.body.id);
  return {
    id,
    async approve() {
      const r = await h.request('POST', `/v1/notifications/${id}/approve`, {}, approver);
      if (r.status >= 300) throw new Error(`approve: ${r.status} ${JSON.stringify(r.body)}`);
    },
  };
}

const FINAL = new Set<string>(FINAL_NOTIFICATION_STATUSES);

/**
 * Polls the notification's status in PostgreSQL (one row), then reads it once through the API.
 * Not the API every time: its answer counts the notification's deliveries, which for a large
 * campaign costs PostgreSQL more than the run measured (175 ms at 185,000 recipients).
 */
export async function waitForFinal(h: Herald, id: string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const row = await h.db.selectFrom('notifications').select('status').where('id', '=', id).executeTakeFirst();
    if (row && FINAL.has(row.status)) return (await h.request('GET', `/v1/notifications/${id}`)).body;
    await sleep(250);
  }
  throw new Error(`notification ${id} not final within ${timeoutMs} ms`);
}

/** Approves a prepared campaign with `groups` metered: seconds from approval to its final status, the CPU of each group, and its final answer. */
export async function meteredCampaign(h: Herald, campaign: { id: string; approve(): Promise<void> }, groups: CpuGroup[]): Promise<{ done: any; seconds: number; cpu: Record<string, number> }> {
  const meter = await startCpuMeter(groups);
  const t0 = performance.now();
  await campaign.approve();
  const done = await waitForFinal(h, campaign.id, 1_800_000);
  const seconds = (performance.now() - t0) / 1000;
  return { done, seconds, cpu: await meter.stop() };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs `count` jobs with at most `concurrency` in flight; returns when all settled. */
export async function runBounded(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      await job(i);
    }
  });
  await Promise.all(lanes);
}

/**
 * Start → SMTP receipt latency, matched by recipient address (each send in a latency phase
 * goes to a distinct address).
 */
export interface LatencyTracker {
  /** Resolves when that address's mail arrives. */
  start(address: string): Promise<void>;
  onMail(mail: CapturedMail): void;
  /** Resolves when every started address has been received. */
  drain(timeoutMs: number): Promise<number[]>;
}

export function createLatencyTracker(): LatencyTracker {
  const started = new Map<string, { t0: number; resolve: () => void }>();
  const done: number[] = [];
  return {
    start(address) {
      return new Promise<void>((resolve) => started.set(address, { t0: performance.now(), resolve }));
    },
    onMail(mail) {
      const to = mail.envelopeTo[0];
      const s = to === undefined ? undefined : started.get(to);
      if (to === undefined || s === undefined) return;
      started.delete(to);
      done.push(performance.now() - s.t0);
      s.resolve();
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (started.size > 0 && Date.now() < deadline) await sleep(20);
      if (started.size > 0) throw new Error(`${started.size} sends not received within ${timeoutMs} ms`);
      return [...done];
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}

/** Peak resident memory of a process, sampled from /proc while `running` is true. */
export function sampleRss(pid: number, everyMs = 200): { stop(): number; current(): number } {
  let peak = 0;
  const read = (): number => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m?.[1] ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, everyMs);
  return {
    current: read,
    stop() {
      clearInterval(timer);
      return Math.max(peak, read());
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Node flags that make a worker process write a CPU profile into bench/results/profiles when
 * HERALD_BENCH_CPU_PROF=1 (read it with bench/profile-summary.ts); none otherwise.
 */
export function workerProfileArgs(): string[] {
  if (process.env.HERALD_BENCH_CPU_PROF !== '1') return [];
  const dir = join(PROJECT_ROOT, 'bench', 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/**
 * The real worker entry point (workers/main.ts) in a process of its own, as deployed, so its
 * RSS is the worker's alone: with the deployed V8 flags (workers/node-flags.ts) unless `v8` is
 * given (a benchmark measuring them against Node's defaults, `[]`). Resolves once it polls.
 */
export function startWorkerProcess(env: Record<string, string>, nodeArgs: string[] = [], v8: readonly string[] = WORKER_NODE_FLAGS, root = PROJECT_ROOT): Promise<WorkerProcess> {
  return startNodeProcess('workers/main.ts', [], { ...env, LOG_LEVEL: 'info' }, 'Herald workers running', [...v8, ...nodeArgs], root);
}

/**
 * A TypeScript program of this project in a child process, started as `node --import tsx` (not
 * `npx tsx`) so the pid is the program itself, not a launcher; resolves once it prints `ready`.
 * Its stdin is a pipe the program may read. `root` runs it from another checkout (bench/lever.ts).
 */
export async function startNodeProcess(script: string, args: string[], env: Record<string, string>, ready: string, nodeArgs: string[] = [], root = PROJECT_ROOT): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 120 s: ${out.slice(-2000)}`)), 120_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${out.slice(-2000)}`));
    });
  });
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    child,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
