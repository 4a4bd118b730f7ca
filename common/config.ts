// Configuration is read from the environment once, in each process's entry point, and
// passed down. Nothing reads process.env anywhere else.
import { hkdfSync } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE_PREFIX, PRIORITIES, type Priority } from './priorities.js';

const csvPriorities = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
  .pipe(z.array(z.enum(PRIORITIES)).min(1));

const weights = z
  .string()
  .transform((s) => s.split(',').map((w) => Number(w.trim())))
  .pipe(z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]));

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  DATABASE_REPLICA_URL: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  CLICKHOUSE_URL: z.string().url().optional(),
  SMTP_URL: z.string().min(1).optional(),
  HERALD_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HERALD_BOOTSTRAP_ADMIN_KEY: z.string().min(16).optional(),
  HERALD_SECRET_KEY: z.string().min(16).optional(),
  HERALD_SIGNING_KEY: z.string().min(16).optional(),
  HERALD_PUBLIC_URL: z.string().url().optional(),
  HERALD_MAIL_FROM: z.string().min(3).default('Herald <herald@localhost>'),
  HERALD_TASK_QUEUE_PREFIX: z.string().regex(/^[a-z0-9-]+$/).default(DEFAULT_TASK_QUEUE_PREFIX),
  HERALD_QUEUES: csvPriorities.default([...PRIORITIES]),
  HERALD_WORKER_SLOTS: z.coerce.number().int().min(3).default(100),
  HERALD_SLOT_WEIGHTS: weights.default([50, 30, 20]),
  HERALD_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(1000),
  HERALD_RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(1).default(300_000),
  HERALD_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  HERALD_CIRCUIT_FAILURES: z.coerce.number().int().min(1).default(5),
  HERALD_CIRCUIT_OPEN_MS: z.coerce.number().int().min(100).default(30_000),
  HERALD_KEY_RATE_PER_SECOND: z.coerce.number().positive().default(100),
  HERALD_KEY_RATE_BURST: z.coerce.number().int().min(1).default(200),
  HERALD_FAILED_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  HERALD_CORS_ORIGINS: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .default([]),
  HERALD_BULK_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  HERALD_BULK_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(200),
  HERALD_BULK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(25),
  HERALD_BULK_PARALLEL_BATCHES: z.coerce.number().int().min(1).max(100).default(4),
  HERALD_HISTORY_LIMIT: z.coerce.number().int().min(100).default(4000),
  HERALD_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  HERALD_DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Timings {
  retryInitialMs: number;
  retryMaxIntervalMs: number;
  retryMaxAttempts: number;
  deliveryTimeoutMs: number;
  /** Bulk sends: users per audience page, deliveries per batch activity, sends in flight per batch. */
  bulkPageSize?: number;
  bulkBatchSize?: number;
  bulkConcurrency?: number;
  /** Batch activities of one campaign in flight at once. */
  bulkParallelBatches?: number;
  /** A bulk run continues as new past this many history events, so its history stays bounded. */
  historyLimit?: number;
}

export interface HeraldConfig {
  databaseUrl: string | undefined;
  databaseReplicaUrl: string | undefined;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  temporalUiUrl: string;
  clickhouseUrl: string | undefined;
  smtpUrl: string | undefined;
  port: number;
  bootstrapAdminKey: string | undefined;
  secretKey: string | undefined;
  /** HMAC key of unsubscribe tokens: HERALD_SIGNING_KEY, else derived from HERALD_SECRET_KEY, else a dev default. */
  signingKey: string;
  publicUrl: string;
  mailFrom: string;
  taskQueuePrefix: string;
  queues: Priority[];
  workerSlots: number;
  slotWeights: [number, number, number];
  timings: Timings;
  /** Per-key request rate (keys may carry their own) and failed-auth braking. */
  rateLimits: { perSecond: number; burst: number; failedAuthPerMinute: number };
  /** Browser origins allowed to call the API (CORS); empty allows none. */
  corsOrigins: string[];
  /** Consecutive failures that open a provider's circuit, and how long it stays open. */
  circuit: { failureThreshold: number; openMs: number };
  dataDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

/** Only for development stacks: links signed with it are forgeable by anyone who reads this file. */
export const DEV_SIGNING_KEY = 'herald-dev-signing-key-change-me';

function signingKeyOf(signingKey: string | undefined, secretKey: string | undefined): string {
  if (signingKey) return signingKey;
  // A separate key per purpose: an unsubscribe token must never help anyone against the
  // sealed provider secrets, so the secret key is only an HKDF input, never used directly.
  if (secretKey) return Buffer.from(hkdfSync('sha256', secretKey, 'herald', 'unsubscribe-tokens', 32)).toString('base64url');
  return DEV_SIGNING_KEY;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  // Empty strings count as unset, as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    databaseReplicaUrl: e.DATABASE_REPLICA_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    temporalUiUrl: e.TEMPORAL_UI_URL.replace(/\/$/, ''),
    clickhouseUrl: e.CLICKHOUSE_URL,
    smtpUrl: e.SMTP_URL,
    port: e.HERALD_PORT,
    bootstrapAdminKey: e.HERALD_BOOTSTRAP_ADMIN_KEY,
    secretKey: e.HERALD_SECRET_KEY,
    signingKey: signingKeyOf(e.HERALD_SIGNING_KEY, e.HERALD_SECRET_KEY),
    publicUrl: (e.HERALD_PUBLIC_URL ?? `http://localhost:${e.HERALD_PORT}`).replace(/\/$/, ''),
    mailFrom: e.HERALD_MAIL_FROM,
    taskQueuePrefix: e.HERALD_TASK_QUEUE_PREFIX,
    queues: e.HERALD_QUEUES,
    workerSlots: e.HERALD_WORKER_SLOTS,
    slotWeights: e.HERALD_SLOT_WEIGHTS,
    timings: {
      retryInitialMs: e.HERALD_RETRY_INITIAL_MS,
      retryMaxIntervalMs: e.HERALD_RETRY_MAX_INTERVAL_MS,
      retryMaxAttempts: e.HERALD_RETRY_MAX_ATTEMPTS,
      deliveryTimeoutMs: e.HERALD_DELIVERY_TIMEOUT_MS,
      bulkPageSize: e.HERALD_BULK_PAGE_SIZE,
      bulkBatchSize: e.HERALD_BULK_BATCH_SIZE,
      bulkConcurrency: e.HERALD_BULK_CONCURRENCY,
      bulkParallelBatches: e.HERALD_BULK_PARALLEL_BATCHES,
      historyLimit: e.HERALD_HISTORY_LIMIT,
    },
    circuit: { failureThreshold: e.HERALD_CIRCUIT_FAILURES, openMs: e.HERALD_CIRCUIT_OPEN_MS },
    rateLimits: { perSecond: e.HERALD_KEY_RATE_PER_SECOND, burst: e.HERALD_KEY_RATE_BURST, failedAuthPerMinute: e.HERALD_FAILED_AUTH_PER_MINUTE },
    corsOrigins: e.HERALD_CORS_ORIGINS,
    dataDir: e.HERALD_DATA_DIR,
    logLevel: e.LOG_LEVEL,
  };
}
