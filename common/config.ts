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

/** Comma-separated seconds (decimals allowed), e.g. `5,300,1800`. */
const secondsList = z
  .string()
  .transform((s) => csv(s).map(Number))
  .pipe(z.array(z.number().positive().max(7 * 86_400)).min(1).max(50));

/** `1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353`: what dns.Resolver#setServers takes. */
function isRegExp(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

export function isDnsServer(s: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  const withPort = /^([\d.]+):(\d{1,5})$/.exec(s);
  const port = bracketed?.[2] ?? withPort?.[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  if (bracketed) return isIP(bracketed[1] ?? '') === 6;
  if (withPort) return isIP(withPort[1] ?? '') === 4;
  return isIP(s) !== 0;
}

/** Every configuration variable, with its group, description and default (docs/configuration.md is generated from it). */
export const envSchema = z.object({
  NODE_ENV: z.string().optional().meta({ group: 'General', description: '`production` makes every process refuse to start on an unsafe configuration (no `HERALD_SECRET_KEY`, a signing key under 32 bytes, the dev bootstrap key, no or a loopback `HERALD_PUBLIC_URL`), listing every problem.', unset: 'development: the dev fallbacks work, with one warning' }),
  DATABASE_URL: z.string().min(1).optional().meta({ group: 'Database', description: 'PostgreSQL connection string of the primary (every process).', unset: 'required; `npm run dev` starts an embedded PostgreSQL' }),
  DATABASE_REPLICA_URL: z.string().min(1).optional().meta({ group: 'Database', description: 'A streaming replica for the API\'s list and analytics reads (writes, and reads that must see them, stay on the primary).', unset: 'reads use the primary' }),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).optional().meta({ group: 'Database', description: 'Connections in each process\'s pool to the primary.', unset: '10 for the API and the bounce receiver, 40 for a worker (a campaign keeps many deliveries in flight)' }),
  DATABASE_REPLICA_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10).meta({ group: 'Database', description: 'Connections in the API\'s pool to the replica (`DATABASE_REPLICA_URL`).' }),
  TEMPORAL_ADDRESS: z.string().min(1).optional().meta({ group: 'Temporal', description: 'Temporal frontend `host:port` the API\'s client and the workers connect to.', unset: '`127.0.0.1:7233`; `npm run dev` starts a dev server' }),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default').meta({ group: 'Temporal', description: 'Temporal namespace of every run (client and workers). Temporal Cloud: `<namespace>.<account>`.' }),
  TEMPORAL_TLS: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ group: 'Temporal', description: 'Connect to Temporal over TLS (`true`/`false`). With `true` alone, the server certificate is checked against the system CAs (Temporal Cloud).', unset: 'TLS when any `TEMPORAL_TLS_*` or `TEMPORAL_API_KEY` is set, else plaintext' }),
  TEMPORAL_TLS_CA: z.string().min(1).optional().meta({ group: 'Temporal', description: 'CA certificate (PEM file path, or the PEM itself) that the Temporal server certificate must chain to.', unset: 'the system CAs' }),
  TEMPORAL_TLS_CERT: z.string().min(1).optional().meta({ group: 'Temporal', description: 'Client certificate for mutual TLS (PEM file path, or the PEM itself); needs `TEMPORAL_TLS_KEY`.', unset: 'no client certificate' }),
  TEMPORAL_TLS_KEY: z.string().min(1).optional().meta({ group: 'Temporal', description: 'Private key of `TEMPORAL_TLS_CERT` (PEM file path, or the PEM itself).', unset: 'no client certificate' }),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional().meta({ group: 'Temporal', description: 'Server name to verify the Temporal certificate against (and send as SNI) when it differs from the host of `TEMPORAL_ADDRESS`.', unset: 'the host of `TEMPORAL_ADDRESS`' }),
  TEMPORAL_API_KEY: z.string().min(1).optional().meta({ group: 'Temporal', description: 'API key sent as a bearer token on every Temporal call (Temporal Cloud API-key auth); implies TLS.', unset: 'no API key' }),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233').meta({ group: 'Temporal', description: 'Base URL of the Temporal Web UI; the API links each notification\'s run there.' }),
  CLICKHOUSE_URL: z.string().url().optional().meta({ group: 'Analytics', description: 'ClickHouse HTTP URL of the analytics store, e.g. `http://127.0.0.1:8123`.', unset: 'analytics events go to PostgreSQL' }),
  SMTP_URL: z.string().min(1).optional().meta({ group: 'Email', description: 'Default email provider of every tenant (`smtp://user:pass@host:port`).', unset: 'no default email provider; `npm run dev` uses its capture SMTP server' }),
  SMTP_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000).meta({ group: 'Email', description: 'How long the default SMTP provider may stay silent (its reply to a command, the end of a message included) before the attempt fails as transient and is retried with the same Message-ID. Keep it below `HERALD_DELIVERY_TIMEOUT_MS`.' }),
  HERALD_SMTP_THREADS: z.coerce.number().int().min(0).max(16).default(0).meta({ group: 'Email', description: 'Worker threads this worker process sends SMTP mail on, each with its own pooled connections (`maxConnections` per server and thread); 0 sends in the event loop. A thread takes building each message and the SMTP conversation off the event loop the ledger and Temporal\'s activities run in: a bulk campaign went 1.11 × faster with one. It also takes a core: set it on workers that serve only the low queue, on hosts with cores to spare, not on a process that serves high priority beside a campaign (on 2 shared cores, high-priority p99 under a campaign was 1.59–1.77 × idle with a thread, 1.14–1.75 without).' }),
  HERALD_PORT: z.coerce.number().int().min(0).max(65535).default(3000).meta({ group: 'HTTP API', description: 'Port the API listens on.' }),
  HERALD_BOOTSTRAP_ADMIN_KEY: z.string().min(16).optional().meta({ group: 'Security', description: 'Creates tenant `default` with this admin+system API key if it has no keys yet. At least 16 characters; in production never the dev key `herald-dev-admin-key-change-me`.', unset: 'no key is created; `npm run dev` uses a dev key' }),
  HERALD_SECRET_KEY: z.string().min(16).optional().meta({ group: 'Security', description: 'Seals provider secrets at rest and derives the link-signing key (HKDF). Comma-separated keys rotate: the first seals and signs, all open and verify. Required in production, at least 32 bytes.', unset: 'development only: links are signed with a constant dev key (a warning is logged), and anything that must be sealed (provider secrets, OTP codes, an LDAP bind secret) is refused with 422 secret_key_missing' }),
  // Several comma-separated keys rotate like HERALD_SECRET_KEY: the first signs, all verify.
  HERALD_SIGNING_KEY: z.string().transform(csv).pipe(z.array(z.string().min(16)).min(1)).optional().meta({ group: 'Security', description: 'HMAC key of signed links and tokens (unsubscribe, preference center, inbox, open/click tracking, OTP, bounce addresses). Comma-separated keys rotate: the first signs, all verify. In production every key must be at least 32 bytes.', unset: 'derived from `HERALD_SECRET_KEY`' }),
  HERALD_UNSUBSCRIBE_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(DEFAULT_TOKEN_SETTINGS.unsubscribeTtlSeconds).meta({ group: 'Security', description: 'Lifetime of new unsubscribe links, in seconds (default 90 days).' }),
  HERALD_TRACKING_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(DEFAULT_TOKEN_SETTINGS.trackingTtlSeconds).meta({ group: 'Security', description: 'Lifetime of new open-pixel and click links, in seconds (default 180 days).' }),
  HERALD_DNS_SERVERS: z.string().transform(csv).pipe(z.array(z.string().refine(isDnsServer, 'not an IP address with an optional port, e.g. 10.0.0.2:53 or [::1]:53'))).optional().meta({ group: 'Outbound requests', description: 'Resolvers (`ip[:port]`, comma-separated) for the host names of tenant-supplied URLs (webhooks, HTTP SMS gateways).', unset: 'the system resolver' }),
  HERALD_SNS_HOST_PATTERN: z.string().refine(isRegExp, 'not a regular expression').default('^sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$').meta({ group: 'Outbound requests', description: 'Host names (a regular expression) that an SNS message\'s SigningCertURL and SubscribeURL may name; both must be https. Change it only to test against a local SNS stand-in.' }),
  HERALD_SNS_CA_FILE: z.string().min(1).optional().meta({ group: 'Outbound requests', description: 'A PEM file of CA certificates trusted, besides the system\'s, for the SNS hosts (a test CA).', unset: 'the system CAs only' }),
  HERALD_SNS_ALLOW_PRIVATE_NETWORKS: z.string().transform(csv).optional().meta({ group: 'Outbound requests', description: 'Private CIDRs (comma-separated) the SNS hosts may resolve to; the outbound guard refuses every private range otherwise.', unset: 'none' }),
  HERALD_PUBLIC_URL: z.string().url().optional().meta({ group: 'HTTP API', description: 'Where clients and mail recipients reach Herald; the base of every link in mail (unsubscribe, tracking, preference center). Required in production, and not localhost or a loopback address.', unset: 'development only: `http://localhost:$HERALD_PORT` (a warning is logged)' }),
  HERALD_MAIL_FROM: z.string().min(3).default('Herald <herald@localhost>').meta({ group: 'Email', description: 'From of email when a provider has none.' }),
  HERALD_BOUNCE_DOMAIN: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a domain name')
    .transform((d) => d.toLowerCase())
    .optional()
    .meta({ group: 'Email', description: 'Domain of the per-delivery VERP return paths `bounce+<token>@<domain>`; its MX should reach the bounce receiver (`npm run bounces`).', unset: 'the envelope sender is the From; no bounce processing' }),
  HERALD_BOUNCE_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2526).meta({ group: 'Email', description: 'Port of the bounce receiver\'s SMTP server.' }),
  HERALD_TASK_QUEUE_PREFIX: z.string().regex(/^[a-z0-9-]+$/).default('herald').meta({ group: 'Workers', description: 'Task queues are `<prefix>-high`, `<prefix>-medium`, `<prefix>-low` (lowercase letters, digits, dashes).' }),
  HERALD_WORKFLOW_BUNDLE: z.string().min(1).optional().meta({ group: 'Workers', description: 'Path of a prebuilt workflow bundle (`npm run build:workflows`).', unset: '`dist/` if built, else bundled at start' }),
  HERALD_QUEUES: csvPriorities.default([...PRIORITIES]).meta({ group: 'Workers', description: 'Priorities this worker process serves (comma-separated; also `npm run worker -- --queues high`).' }),
  HERALD_WORKER_SLOTS: z.coerce.number().int().min(3).default(100).meta({ group: 'Workers', description: 'Activity slots per worker process (at least 3).' }),
  HERALD_SLOT_WEIGHTS: weights.default([50, 30, 20]).meta({ group: 'Workers', description: 'Split of the activity slots across high, medium and low (three positive numbers).' }),
  HERALD_YIELD_LANES: z.coerce.number().int().min(0).max(1000).default(4).meta({ group: 'Workers', description: 'Deliveries the batches of one priority keep in flight between them in a worker process while work of a higher priority runs in it: a campaign slows down for a one-off high-priority send instead of queueing it behind its own. A page of its audience being written ends at the next 100 users meanwhile. 0 turns yielding off.' }),
  HERALD_YIELD_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(200).meta({ group: 'Workers', description: 'How long after its last step a higher priority still holds lower-priority batches to HERALD_YIELD_LANES (the gaps between one send\'s steps).' }),
  HERALD_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(1000).meta({ group: 'Delivery', description: 'First retry interval of a failed delivery attempt.' }),
  HERALD_RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(1).default(300_000).meta({ group: 'Delivery', description: 'Longest interval between delivery retries.' }),
  HERALD_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10).meta({ group: 'Delivery', description: 'Delivery attempts per provider before the delivery fails (or falls back).' }),
  HERALD_CIRCUIT_FAILURES: z.coerce.number().int().min(1).default(5).meta({ group: 'Delivery', description: 'Consecutive failures that open a provider\'s circuit.' }),
  HERALD_CIRCUIT_OPEN_MS: z.coerce.number().int().min(100).default(30_000).meta({ group: 'Delivery', description: 'How long an open circuit stays open before a trial request.' }),
  HERALD_KEY_RATE_PER_SECOND: z.coerce.number().positive().default(100).meta({ group: 'HTTP API', description: 'Requests per second per API key (keys may carry their own rate).' }),
  HERALD_KEY_RATE_BURST: z.coerce.number().int().min(1).default(200).meta({ group: 'HTTP API', description: 'Burst of requests per API key above the steady rate.' }),
  HERALD_FAILED_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(30).meta({ group: 'HTTP API', description: 'Failed authentications per client address per minute before it is braked (429).' }),
  HERALD_CORS_ORIGINS: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .default([])
    .meta({ group: 'HTTP API', description: 'Browser origins allowed to call the API (CORS), comma-separated.', unset: 'none' }),
  HERALD_BULK_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000).meta({ group: 'Bulk sends', description: 'Users per audience page of a bulk send.' }),
  HERALD_BULK_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(200).meta({ group: 'Bulk sends', description: 'Deliveries per batch activity.' }),
  HERALD_BULK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(25).meta({ group: 'Bulk sends', description: 'Sends in flight per batch activity.' }),
  HERALD_BULK_PARALLEL_BATCHES: z.coerce.number().int().min(1).max(100).default(4).meta({ group: 'Bulk sends', description: 'Batch activities of one campaign in flight at once.' }),
  HERALD_BATCH_HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().min(5_000).max(600_000).default(20_000).meta({ group: 'Bulk sends', description: 'A batch activity without a heartbeat this long is retried elsewhere (a dead worker).' }),
  HERALD_HISTORY_LIMIT: z.coerce.number().int().min(100).default(4000).meta({ group: 'Bulk sends', description: 'A bulk run, or a digest that keeps receiving events, continues as new past this many history events, so its history stays bounded.' }),
  HERALD_RUNLESS_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60).meta({ group: 'Reliability', description: 'Seconds between a worker\'s passes over notifications whose run was never started (the API stopped between inserting one and starting its run); each is started, or marked failed with the reason. 0 turns the sweeper off.' }),
  HERALD_RUNLESS_SWEEP_AGE_SECONDS: z.coerce.number().int().min(1).default(120).meta({ group: 'Reliability', description: 'Only notifications at least this old are swept, so a request still starting its run is left alone.' }),
  HERALD_EVENT_RELAY_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500).meta({ group: 'Events', description: 'How long a worker\'s outbox relay waits after emptying the event outbox before it looks again (events go to the analytics store and webhook endpoints from there).' }),
  HERALD_EVENT_RELAY_BATCH: z.coerce.number().int().min(1).max(2000).default(1000).meta({ group: 'Events', description: 'Outbox rows one relay pass claims and ships at once.' }),
  HERALD_EVENT_RELAY_RETRY_MAX_MS: z.coerce.number().int().min(100).default(30_000).meta({ group: 'Events', description: 'Longest wait between a relay\'s tries while the analytics store is down (exponential from 500 ms, with jitter); the events wait in the outbox meanwhile.' }),
  HERALD_WEBHOOK_RETRY_SCHEDULE: secondsList.default([5, 300, 1800, 7200, 18_000, 36_000, 36_000]).meta({ group: 'Events', description: 'Seconds to wait after each failed attempt to reach a webhook endpoint, comma-separated; after the last, the delivery is given up (failed, redeliverable). The default is Standard Webhooks\' schedule: about 27 hours.' }),
  HERALD_WEBHOOK_DISABLE_AFTER_SECONDS: z.coerce.number().min(1).default(432_000).meta({ group: 'Events', description: 'A webhook endpoint whose attempts all failed for this long is disabled, with an audit entry (default 5 days).' }),
  HERALD_WEBHOOK_ROTATION_GRACE_SECONDS: z.coerce.number().int().min(0).default(86_400).meta({ group: 'Events', description: 'After a webhook secret rotation, the previous secret signs beside the new one this long.' }),
  HERALD_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000).meta({ group: 'Events', description: 'Time limit of one attempt to reach a webhook endpoint.' }),
  HERALD_WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500).meta({ group: 'Events', description: 'How long a worker\'s webhook dispatcher waits, when nothing is due, before it looks again.' }),
  HERALD_EVENT_OUTBOX_KEEP_SECONDS: z.coerce.number().int().min(0).default(3600).meta({ group: 'Events', description: 'Shipped outbox rows are deleted this long after shipping.' }),
  HERALD_STORAGE_MAINTENANCE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(3600).meta({ group: 'Database', description: 'Seconds between a worker\'s storage maintenance passes: create the coming months\' partitions of the ledger, log and events, drop months past every tenant\'s retention, delete rows past a tenant\'s own retention (docs/operations.md). One process runs a pass at a time (an advisory lock). 0 turns it off.' }),
  HERALD_PARTITION_MONTHS_AHEAD: z.coerce.number().int().min(1).max(24).default(3).meta({ group: 'Database', description: 'Months of partitions kept ready beyond the current one.' }),
  HERALD_RETENTION_BATCH: z.coerce.number().int().min(100).max(100_000).default(5000).meta({ group: 'Database', description: 'Rows per retention delete statement (a pass runs at most 100 per table and tenant, then the next pass carries on).' }),
  HERALD_READ_RECEIPT_POLL_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000).meta({ group: 'Delivery', description: 'Milliseconds between a worker\'s passes asking DingTalk (getsendresult) whether sent work notices were read (docs/receipts.md). 0 turns the poller off.' }),
  HERALD_READ_RECEIPT_FIRST_DELAY_MS: z.coerce.number().int().min(10).default(60_000).meta({ group: 'Delivery', description: 'How long after a work notice is sent it is first asked about; each later ask waits twice as long as the one before.' }),
  HERALD_READ_RECEIPT_MAX_DELAY_MS: z.coerce.number().int().min(10).default(6 * 3_600_000).meta({ group: 'Delivery', description: 'The longest wait between two asks about one work notice.' }),
  HERALD_READ_RECEIPT_MAX_POLLS: z.coerce.number().int().min(1).max(100).default(12).meta({ group: 'Delivery', description: 'How many times one work notice is asked about at most (a DingTalk error counts); a notice not read by then stays delivered.' }),
  HERALD_RECALL_WAIT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000).meta({ group: 'Delivery', description: 'How long `POST /v1/notifications/{id}/recall` waits for the recall run before it answers, counting what is still being taken back as `recalling`.' }),
  HERALD_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000).meta({ group: 'Delivery', description: 'Time limit of one delivery attempt.' }),
  HERALD_DATA_DIR: z.string().default('.data').meta({ group: 'Development', description: 'Where `npm run dev` keeps Temporal\'s SQLite file and the embedded PostgreSQL.' }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').meta({ group: 'Observability', description: 'pino log level.' }),
  // OpenTelemetry's own variable names, so the usual collector setups work unchanged.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional().meta({ group: 'Observability', description: 'OTLP/HTTP collector base URL; traces go to `<endpoint>/v1/traces`.', unset: 'no tracing' }),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional().meta({ group: 'Observability', description: 'OTLP/HTTP traces endpoint, used as given (wins over `OTEL_EXPORTER_OTLP_ENDPOINT`).', unset: 'no tracing' }),
  OTEL_SERVICE_NAME: z.string().min(1).optional().meta({ group: 'Observability', description: 'Service name of the exported spans.', unset: '`herald-api` / `herald-worker`' }),
  HERALD_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional().meta({ group: 'Observability', description: 'Port of the worker process\'s Prometheus `/metrics` and its `/healthz` (200 while its Temporal workers run; 0: any free port).', unset: 'no worker metrics or health endpoint' }),
  HERALD_WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0').meta({ group: 'Observability', description: 'Interface of the worker metrics endpoint.' }),
  HERALD_OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9464).meta({ group: 'Observability', description: 'Port of the API\'s operations listener: Prometheus `/metrics`, detailed `/readyz` (each dependency\'s state and error) and `/healthz`. Keep it off the public network (0: any free port).' }),
  HERALD_OPS_HOST: z.string().min(1).default('0.0.0.0').meta({ group: 'Observability', description: 'Interface of the API\'s operations listener.' }),
  HERALD_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(5000).meta({ group: 'HTTP API', description: 'On SIGTERM the API answers `/readyz` with 503 for this long, still serving requests, so load balancers stop sending new ones before it drains and exits (SIGINT drains at once).' }),
  HERALD_TRUST_PROXY: z
    .string()
    .min(1)
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v))
    .optional()
    .meta({ group: 'HTTP API', description: 'Express `trust proxy`: which proxies in front of the API to believe about the client address (`X-Forwarded-For`), so per-client limits see clients, not the load balancer. `true` (every hop), a hop count (`1`), or comma-separated addresses/subnets/`loopback`, `uniquelocal`.', unset: 'no proxy is trusted: the client address is the TCP peer' }),
});

export interface Timings {
  retryInitialMs: number;
  retryMaxIntervalMs: number;
  retryMaxAttempts: number;
  deliveryTimeoutMs: number;
  /** How long a recall request waits for the recall run before answering. */
  recallWaitMs: number;
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
  /** TLS to Temporal (CA, client certificate, server name; PEM file paths or PEMs); undefined: plaintext. */
  temporalTls: TemporalTls | undefined;
  /** Temporal Cloud API key (bearer token on every call; implies TLS). */
  temporalApiKey: string | undefined;
  temporalUiUrl: string;
  clickhouseUrl: string | undefined;
  smtpUrl: string | undefined;
  smtpSocketTimeoutMs: number;
  /** Threads SMTP mail is sent on; 0 is the event loop (channels/smtp-threads.ts). */
  smtpThreads: number;
  port: number;
  bootstrapAdminKey: string | undefined;
  secretKey: string | undefined;
  /** HMAC key of signed tokens (unsubscribe, tracking, OTP): HERALD_SIGNING_KEY's first, else derived from HERALD_SECRET_KEY, else a dev default. */
  signingKey: string;
  /** Lifetimes of new tokens, the previous signing keys still accepted, and what happens to tokens from before expiry. */
  tokens: SignedTokenSettings;
  /** Resolvers for outbound webhook / HTTP gateway host names (`ip[:port]`); empty: the system's. */
  dnsServers: string[];
  /** What an SNS message's SigningCertURL and SubscribeURL may name, and how they are reached (SES notifications). */
  sns: { hostPattern: string; caFile: string | undefined; allowPrivateNetworks: string[] };
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
  /** How lower-priority batches yield to higher-priority work in a worker process (domain/delivery/admission.ts). */
  admission: { yieldLanes: number; graceMs: number };
  timings: Timings;
  /** The worker's sweep of notifications without a run (workers/runless-sweeper.ts); interval 0: off. */
  runlessSweep: { intervalSeconds: number; ageSeconds: number };
  /** The worker's outbox relay (workers/event-relay.ts). */
  eventRelay: { intervalMs: number; batchSize: number; retryInitialMs: number; retryMaxMs: number; keepShippedMs: number };
  /** The worker's storage maintenance (workers/storage-maintenance.ts); interval 0: off. */
  storageMaintenance: { intervalSeconds: number; monthsAhead: number; batchSize: number; maxBatches: number };
  /** The worker's read receipt poller (workers/read-receipt-poller.ts); interval 0: off. */
  readReceipts: { intervalMs: number; firstDelayMs: number; maxDelayMs: number; maxPolls: number; windowMs: number; batchSize: number };
  /** Webhook delivery (workers/webhook-dispatcher.ts) and secret rotation. */
  webhooks: { retryScheduleMs: number[]; disableAfterMs: number; rotationGraceMs: number; timeoutMs: number; intervalMs: number };
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
  /** The API's operations listener (/metrics, detailed /readyz); absent, none is opened. */
  ops?: { port: number; host: string } | undefined;
  /** How long the API keeps serving with /readyz at 503 after SIGTERM before it drains. */
  drainDelayMs?: number | undefined;
  /** Express `trust proxy` (HERALD_TRUST_PROXY); absent, no proxy is trusted. */
  trustProxy?: boolean | number | string | undefined;
  /** Pool sizes of the primary and the replica (DATABASE_POOL_MAX, DATABASE_REPLICA_POOL_MAX). */
  databasePool?: { max: number | undefined; replicaMax: number } | undefined;
  /** NODE_ENV=production: readConfig has refused every unsafe setting (productionProblems). */
  production: boolean;
  /** Development fallbacks in use (no secret key, no public URL); each process logs them once as a warning. */
  devFallbacks: string[];
}

export interface TemporalTls {
  /** Each a PEM file path or the PEM itself. */
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  serverName?: string | undefined;
}

/** Only for development stacks: links signed with it are forgeable by anyone who reads this file. */
export const DEV_SIGNING_KEY = 'herald-dev-signing-key-change-me';
/** The admin key `npm run dev` bootstraps; refused in production. */
export const DEV_BOOTSTRAP_ADMIN_KEY = 'herald-dev-admin-key-change-me';
/** Shortest signing or secret key production accepts: an HMAC-SHA256 key's full strength. */
export const MIN_PRODUCTION_KEY_BYTES = 32;

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
  /** One line per problem, so an operator fixes them all in one go. */
  readonly problems: string[];
  constructor(heading: string, problems: string[]) {
    super(`${heading}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** localhost, *.localhost, 127.0.0.0/8, ::1, the unspecified addresses, and v4-mapped forms of them. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1];
  if (v4 && isIP(v4) === 4) return v4.startsWith('127.') || v4 === '0.0.0.0';
  if (isIP(h) === 6) return h === '::1' || h === '::' || h === '0:0:0:0:0:0:0:1' || /^::ffff:7f/.test(h);
  return false;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * What production refuses, one message per problem (never a key's value). Checked by
 * readConfig with NODE_ENV=production, and again by composeHerald for a production config.
 */
export function productionProblems(c: {
  secretKey: string | undefined;
  signingKeys: string[];
  bootstrapAdminKey: string | undefined;
  publicUrl: string | undefined;
}): string[] {
  const problems: string[] = [];
  const min = MIN_PRODUCTION_KEY_BYTES;
  if (!c.secretKey) {
    problems.push('HERALD_SECRET_KEY is not set: it seals provider secrets and derives the key that signs links; without it links are signed with a constant anyone can read in the source');
  } else {
    csv(c.secretKey).forEach((k, i, all) => {
      if (byteLength(k) < min) problems.push(`HERALD_SECRET_KEY${all.length > 1 ? ` (key ${i + 1} of ${all.length})` : ''} is ${byteLength(k)} bytes; production needs at least ${min} random bytes (e.g. \`openssl rand -base64 32\`)`);
    });
  }
  c.signingKeys.forEach((k, i, all) => {
    const which = `HERALD_SIGNING_KEY${all.length > 1 ? ` (key ${i + 1} of ${all.length})` : ''}`;
    if (k === DEV_SIGNING_KEY) problems.push(`${which} is the development signing key, which anyone can read in the source`);
    else if (byteLength(k) < min) problems.push(`${which} is ${byteLength(k)} bytes; a signing key needs at least ${min} bytes in production (e.g. \`openssl rand -base64 32\`)`);
  });
  if (c.bootstrapAdminKey === DEV_BOOTSTRAP_ADMIN_KEY) {
    problems.push(`HERALD_BOOTSTRAP_ADMIN_KEY is the development key (${DEV_BOOTSTRAP_ADMIN_KEY}), which anyone can read in the source`);
  }
  if (!c.publicUrl) {
    problems.push('HERALD_PUBLIC_URL is not set: links in mail (unsubscribe, tracking, preference center) would point at localhost; set it to the URL recipients reach Herald at');
  } else if (isLoopbackHost(new URL(c.publicUrl).hostname)) {
    problems.push(`HERALD_PUBLIC_URL (${c.publicUrl}) is localhost or a loopback address: links in real mail would point nowhere; set it to the URL recipients reach Herald at`);
  }
  return problems;
}

/** A production config refuses to be used if it is unsafe (a config built by hand, not by readConfig). */
export function assertProductionReady(config: HeraldConfig): void {
  if (!config.production) return;
  const problems = productionProblems({
    secretKey: config.secretKey,
    signingKeys: [config.signingKey, ...config.tokens.previousKeys],
    bootstrapAdminKey: config.bootstrapAdminKey,
    publicUrl: config.publicUrl,
  });
  if (problems.length) throw new ConfigError(PRODUCTION_HEADING, problems);
}

const PRODUCTION_HEADING = 'refusing to start with NODE_ENV=production:';

/**
 * For the entry points: the configuration, or every problem printed to stderr and exit 1
 * (no stack trace: the operator needs the list, not where it was thrown).
 */
export function readConfigOrExit(env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  try {
    return readConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`herald: ${err.message}\n`);
    process.exit(1);
  }
}

function temporalTlsOf(e: z.infer<typeof envSchema>): { tls: TemporalTls | undefined; problems: string[] } {
  const problems: string[] = [];
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: mutual TLS needs both the client certificate and its key');
  const anyTls = Boolean(e.TEMPORAL_TLS_CA ?? e.TEMPORAL_TLS_CERT ?? e.TEMPORAL_TLS_KEY ?? e.TEMPORAL_TLS_SERVER_NAME ?? e.TEMPORAL_API_KEY);
  if (e.TEMPORAL_TLS === false && anyTls) problems.push('TEMPORAL_TLS is false but TEMPORAL_TLS_* or TEMPORAL_API_KEY is set (an API key is only sent over TLS)');
  const on = e.TEMPORAL_TLS ?? anyTls;
  const tls = on ? { ca: e.TEMPORAL_TLS_CA, cert: e.TEMPORAL_TLS_CERT, key: e.TEMPORAL_TLS_KEY, serverName: e.TEMPORAL_TLS_SERVER_NAME } : undefined;
  return { tls, problems };
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  // Empty strings count as unset, as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError('invalid configuration:', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const temporal = temporalTlsOf(e);
  if (temporal.problems.length) throw new ConfigError('invalid configuration:', temporal.problems);
  const production = e.NODE_ENV === 'production';
  if (production) {
    const problems = productionProblems({
      secretKey: e.HERALD_SECRET_KEY,
      signingKeys: e.HERALD_SIGNING_KEY ?? [],
      bootstrapAdminKey: e.HERALD_BOOTSTRAP_ADMIN_KEY,
      publicUrl: e.HERALD_PUBLIC_URL,
    });
    if (problems.length) throw new ConfigError(PRODUCTION_HEADING, problems);
  }
  const devFallbacks: string[] = [];
  if (!e.HERALD_SECRET_KEY && !e.HERALD_SIGNING_KEY) devFallbacks.push('no HERALD_SECRET_KEY: links are signed with the constant development key, and provider secrets cannot be saved');
  if (!e.HERALD_PUBLIC_URL) devFallbacks.push(`no HERALD_PUBLIC_URL: links point at http://localhost:${e.HERALD_PORT}`);
  const [signingKey, ...previousKeys] = signingKeysOf(e.HERALD_SIGNING_KEY, e.HERALD_SECRET_KEY);
  return {
    production,
    devFallbacks,
    temporalTls: temporal.tls,
    temporalApiKey: e.TEMPORAL_API_KEY,
    databaseUrl: e.DATABASE_URL,
    databaseReplicaUrl: e.DATABASE_REPLICA_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    temporalUiUrl: e.TEMPORAL_UI_URL.replace(/\/$/, ''),
    clickhouseUrl: e.CLICKHOUSE_URL,
    smtpUrl: e.SMTP_URL,
    smtpSocketTimeoutMs: e.SMTP_SOCKET_TIMEOUT_MS,
    smtpThreads: e.HERALD_SMTP_THREADS,
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
    sns: { hostPattern: e.HERALD_SNS_HOST_PATTERN, caFile: e.HERALD_SNS_CA_FILE, allowPrivateNetworks: e.HERALD_SNS_ALLOW_PRIVATE_NETWORKS ?? [] },
    publicUrl: (e.HERALD_PUBLIC_URL ?? `http://localhost:${e.HERALD_PORT}`).replace(/\/$/, ''),
    mailFrom: e.HERALD_MAIL_FROM,
    bounceDomain: e.HERALD_BOUNCE_DOMAIN,
    bounceSmtpPort: e.HERALD_BOUNCE_SMTP_PORT,
    taskQueuePrefix: e.HERALD_TASK_QUEUE_PREFIX,
    workflowBundlePath: e.HERALD_WORKFLOW_BUNDLE,
    queues: e.HERALD_QUEUES,
    workerSlots: e.HERALD_WORKER_SLOTS,
    slotWeights: e.HERALD_SLOT_WEIGHTS,
    admission: { yieldLanes: e.HERALD_YIELD_LANES, graceMs: e.HERALD_YIELD_GRACE_MS },
    runlessSweep: { intervalSeconds: e.HERALD_RUNLESS_SWEEP_INTERVAL_SECONDS, ageSeconds: e.HERALD_RUNLESS_SWEEP_AGE_SECONDS },
    readReceipts: {
      intervalMs: e.HERALD_READ_RECEIPT_POLL_INTERVAL_MS,
      firstDelayMs: e.HERALD_READ_RECEIPT_FIRST_DELAY_MS,
      maxDelayMs: e.HERALD_READ_RECEIPT_MAX_DELAY_MS,
      maxPolls: e.HERALD_READ_RECEIPT_MAX_POLLS,
      // DingTalk keeps a work notice's send result for a limited time; three days covers the schedule's default reach.
      windowMs: 3 * 24 * 3_600_000,
      batchSize: 200,
    },
    storageMaintenance: { intervalSeconds: e.HERALD_STORAGE_MAINTENANCE_INTERVAL_SECONDS, monthsAhead: e.HERALD_PARTITION_MONTHS_AHEAD, batchSize: e.HERALD_RETENTION_BATCH, maxBatches: 100 },
    eventRelay: { intervalMs: e.HERALD_EVENT_RELAY_INTERVAL_MS, batchSize: e.HERALD_EVENT_RELAY_BATCH, retryInitialMs: 500, retryMaxMs: e.HERALD_EVENT_RELAY_RETRY_MAX_MS, keepShippedMs: e.HERALD_EVENT_OUTBOX_KEEP_SECONDS * 1000 },
    webhooks: {
      retryScheduleMs: e.HERALD_WEBHOOK_RETRY_SCHEDULE.map((s) => Math.round(s * 1000)),
      disableAfterMs: e.HERALD_WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
      rotationGraceMs: e.HERALD_WEBHOOK_ROTATION_GRACE_SECONDS * 1000,
      timeoutMs: e.HERALD_WEBHOOK_TIMEOUT_MS,
      intervalMs: e.HERALD_WEBHOOK_INTERVAL_MS,
    },
    timings: {
      retryInitialMs: e.HERALD_RETRY_INITIAL_MS,
      retryMaxIntervalMs: e.HERALD_RETRY_MAX_INTERVAL_MS,
      retryMaxAttempts: e.HERALD_RETRY_MAX_ATTEMPTS,
      deliveryTimeoutMs: e.HERALD_DELIVERY_TIMEOUT_MS,
      recallWaitMs: e.HERALD_RECALL_WAIT_MS,
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
    ops: { port: e.HERALD_OPS_PORT, host: e.HERALD_OPS_HOST },
    drainDelayMs: e.HERALD_DRAIN_DELAY_MS,
    trustProxy: e.HERALD_TRUST_PROXY,
    databasePool: { max: e.DATABASE_POOL_MAX, replicaMax: e.DATABASE_REPLICA_POOL_MAX },
  };
}
