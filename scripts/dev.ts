// `npm run dev`: the whole Herald stack on embedded defaults, on one data folder, so a
// second start picks up where the first stopped. Uses TEMPORAL_ADDRESS / DATABASE_URL /
// SMTP_URL instead of the embedded pieces when they are set.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bootstrapAdminKey } from '../api/bootstrap.js';
import { createInboxHub } from '../api/inbox-hub.js';
import { startApiServer } from '../api/server.js';
import { temporalClientInterceptors } from '../api/tracing.js';
import { createTelemetry } from '../common/tracing.js';
import { createSecretBox } from '../common/secret-box.js';
import { readConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { startCaptureSmtp } from '../local/capture-smtp.js';
import { startEmbeddedPostgres } from '../local/embedded-postgres.js';
import { ensureTemporalCli, startDevServer } from '../local/temporal-cli.js';
import { createDb, migrateToLatest } from '../schema/connect.js';
import { createAnalyticsStore } from '../analytics/create-store.js';
import { createTracker } from '../domain/tracking/tracker.js';
import { startBounceReceiver } from '../inbound/bounce-receiver.js';
import { startWorkers } from '../workers/start.js';
import { writeWorkflowBundle } from '../workers/workflow-bundle.js';

const DEV_ADMIN_KEY = 'herald-dev-admin-key-change-me';

function devSecretKey(dir: string): string {
  const file = join(dir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

const env = { ...process.env };
env.HERALD_BOOTSTRAP_ADMIN_KEY ??= DEV_ADMIN_KEY;
// Provider secrets are sealed with HERALD_SECRET_KEY; the dev stack keeps a random one in
// its data folder so configs survive restarts.
env.HERALD_SECRET_KEY ??= devSecretKey(resolve(env.HERALD_DATA_DIR ?? '.data'));
const base = readConfig(env);
const logger = createLogger(base.logLevel === 'info' ? 'warn' : base.logLevel, 'herald-dev');
Runtime.install({ logger: new DefaultLogger('WARN') });
const dataDir = resolve(base.dataDir);
mkdirSync(dataDir, { recursive: true });
const stops: Array<() => Promise<void>> = [];

const say = (line: string) => process.stdout.write(`${line}\n`);

let temporalAddress = base.temporalAddress;
let temporalUi = base.temporalUiUrl;
if (!temporalAddress) {
  say('• starting Temporal dev server (the official CLI)…');
  const server = await startDevServer({
    cli: ensureTemporalCli(),
    port: 7233,
    uiPort: 8233,
    dbFile: join(dataDir, 'temporal.sqlite'),
  });
  stops.push(() => server.stop());
  temporalAddress = server.address;
  temporalUi = server.uiUrl ?? temporalUi;
}

let databaseUrl = base.databaseUrl;
if (!databaseUrl) {
  say('• starting embedded PostgreSQL…');
  const pg = await startEmbeddedPostgres(dataDir, 5433);
  stops.unshift(() => pg.stop());
  databaseUrl = pg.url;
}

let smtpUrl = base.smtpUrl;
const capture = smtpUrl ? undefined : await startCaptureSmtp({ port: 2525 });
if (capture) {
  stops.unshift(() => capture.close());
  smtpUrl = capture.url;
}

const config = { ...base, temporalAddress, temporalUiUrl: temporalUi, databaseUrl, smtpUrl };
const db = createDb(databaseUrl, { applicationName: 'herald-dev' });
const inbox = createInboxHub(databaseUrl, logger);
await migrateToLatest(db);
if (config.bootstrapAdminKey) await bootstrapAdminKey(db, config.bootstrapAdminKey);

say('• bundling workflows…');
const bundlePath = await writeWorkflowBundle(join(dataDir, 'workflow-bundle.js'));
const workers = await startWorkers(config, db, logger, { workflowBundle: { codePath: bundlePath } });

const connection = Connection.lazy({ address: temporalAddress });
// OTEL_EXPORTER_OTLP_ENDPOINT traces the dev stack too (README: Observability).
const apiTelemetry = config.tracing ? createTelemetry(config.tracing, 'herald-api') : undefined;
const analytics = createAnalyticsStore({ clickhouseUrl: config.clickhouseUrl, db, logger });
const api = await startApiServer(
  {
    db,
    temporal: {
      client: new Client({ connection, namespace: config.temporalNamespace, interceptors: temporalClientInterceptors(apiTelemetry) }),
      namespace: config.temporalNamespace,
      taskQueuePrefix: config.taskQueuePrefix,
      uiUrl: temporalUi,
    },
    timings: config.timings,
    publicUrl: config.publicUrl,
    signingKey: config.signingKey,
    tokens: config.tokens,
    logger,
    tracer: apiTelemetry?.tracer,
    inbox,
    analytics,
    secretBox: config.secretKey ? createSecretBox(config.secretKey) : undefined,
    rateLimits: config.rateLimits,
    corsOrigins: config.corsOrigins,
    capture,
  },
  config.port,
);

// Bounces come back only to VERP return paths, which exist only with HERALD_BOUNCE_DOMAIN.
const bounces = config.bounceDomain
  ? await startBounceReceiver({ db, tracker: createTracker({ db, analytics, logger }), logger, signingKey: config.signingKey, previousSigningKeys: config.tokens.previousKeys, bounceDomain: config.bounceDomain, port: config.bounceSmtpPort })
  : undefined;

const key = config.bootstrapAdminKey === DEV_ADMIN_KEY ? DEV_ADMIN_KEY : '(your HERALD_BOOTSTRAP_ADMIN_KEY)';
say(`
Herald is running.
  API            ${config.publicUrl}
  Dashboard      ${config.publicUrl}/dashboard   (sign in with the admin key below)
  API docs       ${config.publicUrl}/docs      (OpenAPI: ${config.publicUrl}/openapi.json)
  Temporal UI    ${temporalUi}
  Captured mail  ${capture ? `${config.publicUrl}/v1/dev/mail   (SMTP capture on ${capture.url})` : `sent to ${smtpUrl}`}
  Bounces        ${bounces ? `SMTP on ${bounces.url} for bounce+…@${config.bounceDomain}` : 'off (set HERALD_BOUNCE_DOMAIN to receive them)'}
  Admin API key  ${key}
  Data folder    ${dataDir}
Press Ctrl-C to stop.`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('\nstopping…');
  await inbox.close();
  await bounces?.close();
  await api.close();
  await analytics.close();
  await workers.stop();
  await connection.close();
  await apiTelemetry?.shutdown();
  await db.destroy();
  for (const stop of stops) await stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
