// Configuration is read from the environment once, in each process's entry point, and
// passed down. Nothing reads process.env anywhere else.
import { hkdfSync } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { PRIORITIES, type Priority } from './priorities.js';
import { DEFAULT_TOKEN_SETTINGS, type SignedTokenSettings } from './signed-token.js';

const csvPriorities = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
  .pipe(z.array(z.enum(PRIORITIES)).min(1));

const weights = z
  .string()
  .transform((s) => s.split(',').map((w) => Number(w.trim())))
  .pipe(z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]));

const csv = (s: string) => s.split(',').map((p) => p.trim()).filter(Boolean);

/** `1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353`: what dns.Resolver#setServers takes. */
export function isDnsServer(s: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  const withPort = /^([\d.]+):(\d{1,5})$/.exec(s);
  const port = bracketed?.[2] ?? withPort?.[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  if (bracketed) return isIP(bracketed[1] ?? '') === 6;
  if (withPort) return isIP(withPort[1] ?? '') === 4;
  return isIP(s) !== 0;
}

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
  // Several comma-separated keys rotate like HERALD_SECRET_KEY: the first signs, all verify.
  HERALD_SIGNING_KEY: z.string().transform(csv).pipe(z.array(z.string().min(16)).min(1)).optional(),
  HERALD_UNSUBSCRIBE_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(DEFAULT_TOKEN_SETTINGS.unsubscribeTtlSeconds),
  HERALD_TRACKING_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(DEFAULT_TOKEN_SETTINGS.trackingTtlSeconds),
  HERALD_DNS_SERVERS: z.string().transform(csv).pipe(z.array(z.string().refine(isDnsServer, 'not an IP address with an optional port, e.g. 10.0.0.2:53 or [::1]:53'))).optional(),
  HERALD_PUBLIC_URL: z.string().url().optional(),
  HERALD_MAIL_FROM: z.string().min(3).default('Herald <herald@localhost>'),
  HERALD_BOUNCE_DOMAIN: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a domain name')
    .transform((d) => d.toLowerCase())
    .optional(),
  HERALD_BOUNCE_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2526),
  HERALD_TASK_QUEUE_PREFIX: z.string().regex(/^[a-z0-9-]+$/).default('herald'),
  HERALD_WORKFLOW_BUNDLE: z.string().min(1).optional(),
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
  HERALD_BATCH_HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().min(5_000).max(600_000).default(20_000),
  HERALD_HISTORY_LIMIT: z.coerce.number().int().min(100).default(4000),
  HERALD_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  HERALD_DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // OpenTelemetry's own variable names, so the usual collector setups work unchanged.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  HERALD_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HERALD_WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
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
  /** A batch activity heartbeats every few seconds; this long without one and it is retried elsewhere (a dead worker). */
  batchHeartbeatTimeoutMs?: number;
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
  /** HMAC key of signed tokens (unsubscribe, tracking, OTP): HERALD_SIGNING_KEY's first, else derived from HERALD_SECRET_KEY, else a dev default. */
  signingKey: string;
  /** Lifetimes of new tokens, the previous signing keys still accepted, and what happens to tokens from before expiry. */
  tokens: SignedTokenSettings;
  /** Resolvers for outbound webhook / HTTP gateway host names (`ip[:port]`); empty: the system's. */
  dnsServers: string[];
  publicUrl: string;
  mailFrom: string;
  /** Domain of the VERP return paths (`bounce+<token>@<domain>`); unset: email keeps the From as its envelope sender. */
  bounceDomain: string | undefined;
  /** Port of the SMTP server that receives bounces (inbound/bounce-receiver.ts). */
  bounceSmtpPort: number;
  taskQueuePrefix: string;
  /** A prebuilt workflow bundle (scripts/build or a test's); unset: dist/, else built at start. */
  workflowBundlePath: string | undefined;
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
  /** OTLP/HTTP trace export; absent (no OTEL_EXPORTER_OTLP_*ENDPOINT), nothing is traced. */
  tracing?: TracingConfig | undefined;
  /** The worker process's Prometheus endpoint (0 = any free port); absent, none is served. */
  workerMetrics?: { port: number; host: string } | undefined;
}

/** Only for development stacks: links signed with it are forgeable by anyone who reads this file. */
export const DEV_SIGNING_KEY = 'herald-dev-signing-key-change-me';

function derivedSigningKey(secretKey: string): string {
  return Buffer.from(hkdfSync('sha256', secretKey, 'herald', 'unsubscribe-tokens', 32)).toString('base64url');
}

/** The key that signs, then the ones that only verify. */
function signingKeysOf(signingKeys: string[] | undefined, secretKey: string | undefined): [string, ...string[]] {
  const [first, ...rest] = signingKeys ?? [];
  if (first) return [first, ...rest];
  // A separate key per purpose: a signed link must never help anyone against the sealed
  // provider secrets, so the secret key is only an HKDF input, never used directly.
  if (secretKey) {
    const secrets = csv(secretKey);
    const [current, ...previous] = secrets.map(derivedSigningKey);
    if (current) return [current, ...previous];
  }
  return [DEV_SIGNING_KEY];
}

export interface TracingConfig {
  /** Where spans are POSTed (OTLP/HTTP, JSON). */
  tracesUrl: string;
  /** OTEL_SERVICE_NAME; each process has its own default (herald-api, herald-worker). */
  serviceName: string | undefined;
}

/** The signal-specific endpoint is used as given; the base endpoint gets `/v1/traces`, as the OTLP spec says. */
function tracingOf(endpoint: string | undefined, tracesEndpoint: string | undefined, serviceName: string | undefined): TracingConfig | undefined {
  const tracesUrl = tracesEndpoint ?? (endpoint ? `${endpoint.replace(/\/$/, '')}/v1/traces` : undefined);
  return tracesUrl ? { tracesUrl, serviceName } : undefined;
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
  const [signingKey, ...previousKeys] = signingKeysOf(e.HERALD_SIGNING_KEY, e.HERALD_SECRET_KEY);
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
    signingKey,
    tokens: {
      unsubscribeTtlSeconds: e.HERALD_UNSUBSCRIBE_TOKEN_TTL_SECONDS,
      trackingTtlSeconds: e.HERALD_TRACKING_TOKEN_TTL_SECONDS,
      previousKeys,
    },
    dnsServers: e.HERALD_DNS_SERVERS ?? [],
    publicUrl: (e.HERALD_PUBLIC_URL ?? `http://localhost:${e.HERALD_PORT}`).replace(/\/$/, ''),
    mailFrom: e.HERALD_MAIL_FROM,
    bounceDomain: e.HERALD_BOUNCE_DOMAIN,
    bounceSmtpPort: e.HERALD_BOUNCE_SMTP_PORT,
    taskQueuePrefix: e.HERALD_TASK_QUEUE_PREFIX,
    workflowBundlePath: e.HERALD_WORKFLOW_BUNDLE,
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
      batchHeartbeatTimeoutMs: e.HERALD_BATCH_HEARTBEAT_TIMEOUT_MS,
      historyLimit: e.HERALD_HISTORY_LIMIT,
    },
    circuit: { failureThreshold: e.HERALD_CIRCUIT_FAILURES, openMs: e.HERALD_CIRCUIT_OPEN_MS },
    rateLimits: { perSecond: e.HERALD_KEY_RATE_PER_SECOND, burst: e.HERALD_KEY_RATE_BURST, failedAuthPerMinute: e.HERALD_FAILED_AUTH_PER_MINUTE },
    corsOrigins: e.HERALD_CORS_ORIGINS,
    dataDir: e.HERALD_DATA_DIR,
    logLevel: e.LOG_LEVEL,
    tracing: tracingOf(e.OTEL_EXPORTER_OTLP_ENDPOINT, e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, e.OTEL_SERVICE_NAME),
    workerMetrics: e.HERALD_WORKER_METRICS_PORT === undefined ? undefined : { port: e.HERALD_WORKER_METRICS_PORT, host: e.HERALD_WORKER_METRICS_HOST },
  };
}
