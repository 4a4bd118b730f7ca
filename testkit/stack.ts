// A whole Herald in the test process: a fresh database, a real SMTP server, the workers on
// task queues of this test file's own (so parallel files never take each other's work),
// and the API on a free port — all against the run's real Temporal dev server.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { inject } from 'vitest';
import type { AnalyticsStore } from '../analytics/store.js';
import { bootstrapAdminKey } from '../domain/access/bootstrap.js';
import { startApiServer, type ApiServer } from '../api/server.js';
import { holdPort } from '../common/free-port.js';
import { readConfig, type HeraldConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import type { Telemetry } from '../common/tracing.js';
import { composeHerald, type Herald } from '../composition/compose-herald.js';
import { startCaptureSmtp, type CaptureSmtp, type CaptureSmtpOptions } from '../local/capture-smtp.js';
import type { Db } from '../schema/database.js';
import { FINAL_NOTIFICATION_STATUSES } from '../schema/tables/statuses.js';
import { startWorkers, type StartedWorkers } from '../workers/start.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface StackOptions {
  /** Where the stack's logs go (default: stdout). */
  logTo?: { write(line: string): unknown };
  smtp?: CaptureSmtpOptions;
  env?: Record<string, string>;
}

export interface TestStack {
  config: HeraldConfig;
  /** The composition the API and workers were built by (the test's database stays the caller's). */
  herald: Herald;
  db: Db;
  database: TestDatabase;
  smtp: CaptureSmtp;
  api: ApiServer;
  /** Replaced by `startWorkers`. */
  workers: StartedWorkers;
  /** A fresh worker set on new dependencies, after a test stopped `workers` (a worker restart). */
  startWorkers(): Promise<StartedWorkers>;
  /** The API's analytics store (the workers' is `workers.analytics`); CLICKHOUSE_URL in `env` picks ClickHouse. */
  analytics: AnalyticsStore;
  client: Client;
  /** The API's trace export when OTEL_EXPORTER_OTLP_ENDPOINT is in `env` (the workers' is `workers.telemetry`). */
  apiTelemetry: Telemetry | undefined;
  /** fetch against the API with the admin key unless `key` is given (null = no key). */
  request(method: string, path: string, body?: unknown, opts?: { key?: string | null; raw?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export async function startStack(opts: StackOptions = {}): Promise<TestStack> {
  const database = await createTestDatabase();
  // Chosen up front so HERALD_PUBLIC_URL is the address providers' callbacks really reach, and
  // held until the API listens on it: the workers take seconds to start, long enough for another
  // test file's server to be given a port that was merely free.
  const held = await holdPort();
  const port = held.port;
  const smtp = await startCaptureSmtp(opts.smtp);
  const config = readConfig({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    HERALD_TASK_QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    HERALD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    HERALD_SECRET_KEY: 'test-secret-key-0123456789abcdef',
    HERALD_CIRCUIT_OPEN_MS: '500',
    // Tests poll hard; the rate limit tests give their keys a rate of their own.
    HERALD_KEY_RATE_PER_SECOND: '100000',
    HERALD_KEY_RATE_BURST: '100000',
    HERALD_RETRY_INITIAL_MS: '100',
    HERALD_RETRY_MAX_INTERVAL_MS: '500',
    HERALD_RETRY_MAX_ATTEMPTS: '4',
    HERALD_DELIVERY_TIMEOUT_MS: '10000',
    HERALD_WORKER_SLOTS: '20',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const herald = composeHerald(config, { db: database.db, logger: createLogger(config.logLevel, 'herald-test', opts.logTo), mailCapture: smtp });
  await bootstrapAdminKey(database.db, ADMIN_KEY);
  const startTestWorkers = async () => startWorkers(config, await herald.workers(), { workflowBundle: { codePath: inject('workflowBundlePath') } });
  const workers = await startTestWorkers();
  const composedApi = herald.api();
  await held.release();
  const api = await startApiServer(composedApi.deps, port, '127.0.0.1', { ops: { port: 0, host: '127.0.0.1' } });

  return {
    config,
    herald,
    db: database.db,
    database,
    smtp,
    api,
    workers,
    async startWorkers(this: TestStack) {
      this.workers = await startTestWorkers();
      return this.workers;
    },
    analytics: composedApi.analytics,
    client: composedApi.deps.temporal.client,
    apiTelemetry: composedApi.telemetry,
    async request(method, path, body, o = {}) {
      const key = o.key === undefined ? ADMIN_KEY : o.key;
      const headers: Record<string, string> = { ...o.headers };
      if (key) headers.authorization = `Bearer ${key}`;
      if (body !== undefined || o.raw !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${api.url}${path}`, { method, headers, body: o.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async stop(this: TestStack) {
      await api.close();
      // The property, not the first set: a test may have replaced its workers (a restart).
      await this.workers.stop();
      await herald.close();
      await smtp.close();
      await database.drop();
    },
  };
}

/** Polls until `check` returns a value that is not undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const FINAL = new Set<string>(FINAL_NOTIFICATION_STATUSES);

/**
 * Polls the notification's status row, then answers with the API's view of it once final. Not
 * the API on every poll: its answer counts the notification's deliveries, which for a campaign
 * of thousands costs PostgreSQL more, ten times a second, than the run the test waits for.
 */
export async function waitForFinal(stack: TestStack, id: string, timeoutMs = 30_000): Promise<any> {
  await eventually(async () => {
    const row = await stack.db.selectFrom('notifications').select('status').where('id', '=', id).executeTakeFirst();
    return row && FINAL.has(row.status) ? true : undefined;
  }, timeoutMs);
  return (await stack.request('GET', `/v1/notifications/${id}`)).body;
}

/**
 * Waits until every one of these notifications is final, with one query per poll (a poller per
 * id would put hundreds of requests a second on the API and starve the workers it waits for);
 * returns the ids still not final at the deadline.
 */
export async function waitForAllFinal(stack: TestStack, ids: readonly string[], timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = ids.length === 0 ? [] : await stack.db.selectFrom('notifications').select(['id', 'status']).where('id', 'in', [...ids]).execute();
    const final = new Set(rows.filter((r) => FINAL.has(r.status)).map((r) => r.id));
    const open = ids.filter((id) => !final.has(id));
    if (open.length === 0 || Date.now() > deadline) return open;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A published email template and one user with an address: the smallest sendable setup. */
export async function seedEmail(stack: TestStack, opts: { template?: string; userId?: string; email?: string } = {}) {
  const template = opts.template ?? 'welcome';
  const userId = opts.userId ?? 'ada';
  const put = await stack.request('PUT', `/v1/templates/${template}`, {
    email: { subject: 'Welcome, {{name}}!', html: '<p>Hello <b>{{name}}</b></p>', text: 'Hello {{name}}' },
  });
  if (put.status >= 300) throw new Error(`template: ${JSON.stringify(put.body)}`);
  const pub = await stack.request('POST', `/v1/templates/${template}/publish`);
  if (pub.status !== 201) throw new Error(`publish: ${JSON.stringify(pub.body)}`);
  const user = await stack.request('PUT', `/v1/users/${userId}`, { name: 'Ada', email: opts.email ?? `${userId}@example.com` });
  if (user.status >= 300) throw new Error(`user: ${JSON.stringify(user.body)}`);
  return { template, userId };
}
