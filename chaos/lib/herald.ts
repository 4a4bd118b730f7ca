// Herald under test for a chaos scenario: the API in this process (so a scenario sees every
// status it answers), the workers either in this process or as a child process that can be
// SIGKILLed, all against a Temporal and a PostgreSQL the scenario controls.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { sql } from 'kysely';
import { createAnalyticsStore } from '../../analytics/create-store.js';
import type { AnalyticsStore } from '../../analytics/store.js';
import { bootstrapAdminKey } from '../../api/bootstrap.js';
import { createInboxHub, type InboxHub } from '../../api/inbox-hub.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { readConfig, type HeraldConfig } from '../../common/config.js';
import { createLogger } from '../../common/logger.js';
import { createSecretBox } from '../../common/secret-box.js';
import type { CaptureSmtp } from '../../local/capture-smtp.js';
import { freePort } from '../../common/free-port.js';
import { createDb } from '../../schema/connect.js';
import type { Db } from '../../schema/database.js';
import { startWorkers, type StartedWorkers } from '../../workers/start.js';
import { startNodeProcess, until, type ChildProc } from './processes.js';

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

function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already in this process
  }
}

export async function startHerald(o: HeraldOptions): Promise<Herald> {
  quietTemporalRuntime();
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
  const logger = createLogger(config.logLevel, 'herald-chaos');
  const db = createDb(o.databaseUrl, { applicationName: 'herald-chaos-api', max: 20 });
  await bootstrapAdminKey(db, CHAOS_ADMIN_KEY);
  const inbox: InboxHub = createInboxHub(o.databaseUrl, logger);
  // Lazy, as in api/main.ts: the API answers 503 while Temporal is away, then recovers.
  const connection = Connection.lazy({ address: o.temporalAddress });
  const client = new Client({ connection, namespace: config.temporalNamespace });
  const analytics = createAnalyticsStore({ clickhouseUrl: config.clickhouseUrl, db, logger });
  const api: ApiServer = await startApiServer(
    {
      db,
      temporal: { client, namespace: config.temporalNamespace, taskQueuePrefix: config.taskQueuePrefix, uiUrl: config.temporalUiUrl },
      timings: config.timings,
      publicUrl: config.publicUrl,
      signingKey: config.signingKey,
      tokens: config.tokens,
      logger,
      inbox,
      analytics,
      secretBox: config.secretKey ? createSecretBox(config.secretKey) : undefined,
      rateLimits: config.rateLimits,
      corsOrigins: config.corsOrigins,
      capture: o.smtp,
    },
    port,
    '127.0.0.1',
  );

  let inproc: StartedWorkers | undefined;
  let workerDb: Db | undefined;
  let proc: ChildProc | undefined;

  const herald: Herald = {
    config,
    env,
    db,
    apiUrl: api.url,
    analytics,
    inprocWorkers: () => inproc,
    workerProcess: () => proc,
    async startWorkers() {
      if (o.workers === 'inproc') {
        workerDb ??= createDb(o.databaseUrl, { applicationName: 'herald-chaos-worker', max: 20 });
        inproc = await startWorkers(config, workerDb, logger, { workflowBundle: { codePath: o.bundlePath } });
        return;
      }
      const p = startNodeProcess('chaos/worker-main.ts', env, [o.bundlePath]);
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
      const res = await fetch(`${api.url}${path}`, { method, headers, body: ro.raw ?? (body === undefined ? undefined : JSON.stringify(body)), signal: AbortSignal.timeout(60_000) });
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
      await inbox.close().catch(() => undefined);
      await api.close().catch(() => undefined);
      await analytics.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await db.destroy().catch(() => undefined);
      await workerDb?.destroy().catch(() => undefined);
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
