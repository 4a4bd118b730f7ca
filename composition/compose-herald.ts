// The one place Herald's dependencies are built from configuration. Every entry point uses
// it: the API and worker processes, the bounce receiver, `npm run dev`, the benchmarks, the
// chaos runs and the test kit. Each part is built on first use, so a worker process never
// opens the API's Temporal client and an API process never connects a worker.
import { createAnalyticsStore } from '../analytics/create-store.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { MailCapture } from '../api/mail-capture.js';
import { assertProductionReady, type HeraldConfig } from '../common/config.js';
import { createLogger, type Logger } from '../common/logger.js';
import { createTracker } from '../domain/tracking/tracker.js';
import type { BounceReceiverOptions } from '../inbound/bounce-receiver.js';
import { createDb } from '../schema/connect.js';
import type { Db } from '../schema/database.js';
import type { WorkerDeps } from '../workers/start.js';
import { composeApiDeps, type ComposedApi } from './api-deps.js';
import { composeWorkerDeps } from './worker-deps.js';

export interface HeraldOverrides {
  /** Names the logger and the database connections (`herald-api`, `herald-worker`…). */
  service?: string;
  /** This process's pool size when DATABASE_POOL_MAX is unset (a worker keeps many deliveries in flight). */
  defaultPoolSize?: number;
  logger?: Logger;
  /** A database the caller owns (a test's fresh one); `close` leaves it open. */
  db?: Db;
  /** A capture SMTP server in this process (npm run dev, the test kit): the API shows its mail. */
  mailCapture?: MailCapture;
}

export type BounceReceiverDeps = Pick<BounceReceiverOptions, 'db' | 'tracker' | 'logger' | 'signingKey' | 'previousSigningKeys' | 'bounceDomain'>;

export interface Herald {
  config: HeraldConfig;
  logger: Logger;
  /** The primary: migrations, writes, and reads that must see them. */
  db: Db;
  /** The API's dependencies (one set per Herald). */
  api(): ComposedApi;
  /** A fresh set of worker dependencies on a connection of their own; the workers started on them close them. */
  workers(): Promise<WorkerDeps>;
  /** What the bounce receiver needs; requires HERALD_BOUNCE_DOMAIN. */
  bounces(): BounceReceiverDeps;
  /** Releases everything built here (after the servers and workers stopped), the caller's `db` excepted. */
  close(): Promise<void>;
}

function openDb(config: HeraldConfig, overrides: HeraldOverrides, service: string): Db {
  if (overrides.db) return overrides.db;
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required (npm run dev starts an embedded PostgreSQL for you)');
  return createDb(config.databaseUrl, { applicationName: service, max: config.databasePool?.max ?? overrides.defaultPoolSize });
}

export function composeHerald(config: HeraldConfig, overrides: HeraldOverrides = {}): Herald {
  // A production config built by hand (not by readConfig) is refused here too.
  assertProductionReady(config);
  const service = overrides.service ?? 'herald';
  const logger = overrides.logger ?? createLogger(config.logLevel, service);
  if (config.devFallbacks.length) logger.warn({ fallbacks: config.devFallbacks }, `development fallbacks in use (set NODE_ENV=production to refuse them): ${config.devFallbacks.join('; ')}`);
  const db = openDb(config, overrides, service);
  // The API reads the analytics summary from it; each worker set's outbox relay writes to its own.
  let analytics: AnalyticsStore | undefined;
  const sharedAnalytics = () => (analytics ??= createAnalyticsStore({ clickhouseUrl: config.clickhouseUrl, db, logger }));
  let api: ComposedApi | undefined;
  const openWorkerDeps = new Set<WorkerDeps>();

  return {
    config,
    logger,
    db,
    api: () => (api ??= composeApiDeps(config, { db, logger, analytics: sharedAnalytics(), mailCapture: overrides.mailCapture })),
    async workers() {
      const deps = await composeWorkerDeps(config, db, logger);
      openWorkerDeps.add(deps);
      const close = deps.close;
      return { ...deps, close: () => (openWorkerDeps.delete(deps) ? close() : Promise.resolve()) };
    },
    bounces() {
      if (!config.bounceDomain) throw new Error('HERALD_BOUNCE_DOMAIN is required: the domain of the return paths bounces come back to');
      const tracker = createTracker({ db, logger });
      return { db, tracker, logger, signingKey: config.signingKey, previousSigningKeys: config.tokens.previousKeys, bounceDomain: config.bounceDomain };
    },
    async close() {
      for (const deps of [...openWorkerDeps]) {
        openWorkerDeps.delete(deps);
        await deps.close();
      }
      await api?.close();
      await analytics?.close();
      if (!overrides.db) await db.destroy();
    },
  };
}
