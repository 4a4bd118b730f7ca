// Herald under test for a chaos scenario: the API in this process (so a scenario sees every
// status it answers), the workers either in this process or as a child process that can be
// SIGKILLed, all against a Temporal and a PostgreSQL the scenario controls.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { AnalyticsStore } from '../../analytics/store.js';
import { bootstrapAdminKey } from '../../domain/access/bootstrap.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { readConfig, type HeraldConfig } from '../../common/config.js';
import { freePort } from '../../common/free-port.js';
import { composeHerald, type Herald as ComposedHerald } from '../../composition/compose-herald.js';
import type { CaptureSmtp } from '../../local/capture-smtp.js';
import type { Db } from '../../schema/database.js';
import { startWorkers, type StartedWorkers } from '../../workers/start.js';
import { startWorkerProcess, until, type ChildProc } from './processes.js';

export const CHAOS_ADMIN_KEY = 'chaos-admin-key-0123456789abcdef';

export interface HeraldOptions {
  temporalAddress: string;
  databaseUrl: string;
  smtp: CaptureSmtp;
  bundlePath: string;
  /** 'child': the workers run in a child process (`node --import tsx chaos/worker-main.ts`). */
  workers: 'inproc' | 'child';
  env?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export interface Herald {
  config: HeraldConfig;
  env: Record<string, string>;
  db: Db;
  apiUrl: string;
  analytics: AnalyticsStore;
  /** In-process workers (undefined when they run as a child). */
  inprocWorkers(): StartedWorkers | undefined;
  workerProcess(): ChildProc | undefined;
  startWorkers(): Promise<void>;
  killWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  request(method: string, path: string, body?: unknown, o?: { key?: string | null; raw?: string | Buffer; headers?: Record<string, string> }): Promise<ApiResponse>;
  stop(): Promise<void>;
}

export async function startHerald(o: HeraldOptions): Promise<Herald> {
  const port = await freePort();
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: o.temporalAddress,
    DATABASE_URL: o.databaseUrl,
    SMTP_URL: o.smtp.url,
    HERALD_TASK_QUEUE_PREFIX: `c${randomBytes(4).toString('hex')}`,
    HERALD_BOOTSTRAP_ADMIN_KEY: CHAOS_ADMIN_KEY,
    HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    HERALD_SECRET_KEY: 'chaos-secret-key-0123456789abcdef',
    HERALD_KEY_RATE_PER_SECOND: '5000',
    HERALD_KEY_RATE_BURST: '5000',
    LOG_LEVEL: 'silent',
    ...o.env,
  };
  const config = readConfig(env);
  // The API's connection to Temporal is lazy, as in api/main.ts: it answers 503 while Temporal is away, then recovers.
  const apiHerald = composeHerald(config, { service: 'herald-chaos-api', defaultPoolSize: 20, mailCapture: o.smtp });
  const { db } = apiHerald;
  await bootstrapAdminKey(db, CHAOS_ADMIN_KEY);
  const composedApi = apiHerald.api();
  const server: ApiServer = await startApiServer(composedApi.deps, port, '127.0.0.1');

  let inproc: StartedWorkers | undefined;
  // In-process workers get a composition (and a pool) of their own, as a worker process would.
  let workerHerald: ComposedHerald | undefined;
  let proc: ChildProc | undefined;

  const herald: Herald = {
    config,
    env,
    db,
    apiUrl: server.url,
    analytics: composedApi.analytics,
    inprocWorkers: () => inproc,
    workerProcess: () => proc,
    async startWorkers() {
      if (o.workers === 'inproc') {
        workerHerald ??= composeHerald(config, { service: 'herald-chaos-worker', defaultPoolSize: 20, logger: apiHerald.logger });
        inproc = await startWorkers(config, await workerHerald.workers(), { workflowBundle: { codePath: o.bundlePath } });
        return;
      }
      const p = startWorkerProcess(env, o.bundlePath);
      proc = p;
      await until('worker process ready', () => {
        if (p.child.exitCode !== null) throw new Error(`worker exited ${p.child.exitCode}: ${p.log.slice(-20).join('\n')}`);
        return p.log.some((l) => l.includes('HERALD_WORKERS_READY')) ? true : undefined;
      }, 120_000, 50);
    },
    async killWorkers() {
      if (proc) await proc.kill();
      else throw new Error('only a child worker process can be killed');
    },
    async stopWorkers() {
      if (proc) await proc.stop();
      if (inproc) await inproc.stop();
      inproc = undefined;
    },
    async request(method, path, body, ro = {}) {
      const key = ro.key === undefined ? CHAOS_ADMIN_KEY : ro.key;
      const headers: Record<string, string> = { ...ro.headers };
      if (key) headers.authorization = `Bearer ${key}`;
      if (body !== undefined || ro.raw !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${server.url}${path}`, { method, headers, body: ro.raw ?? (body === undefined ? undefined : JSON.stringify(body)), signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async stop() {
      await herald.stopWorkers().catch(() => undefined);
      await server.close().catch(() => undefined);
      await apiHerald.close().catch(() => undefined);
      await workerHerald?.close().catch(() => undefined);
    },
  };
  await herald.startWorkers();
  return herald;
}

/** True once the database answers again (used to time a recovery). */
export async function dbAnswers(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
