// `npm run dev`: the whole Herald stack on embedded defaults, on one data folder, so a
// second start picks up where the first stopped. Uses TEMPORAL_ADDRESS / DATABASE_URL /
// SMTP_URL instead of the embedded pieces when they are set.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bootstrapAdminKey } from '../api/bootstrap.js';
import { startApiServer } from '../api/server.js';
import { readConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { startCaptureSmtp } from '../local/capture-smtp.js';
import { startEmbeddedPostgres } from '../local/embedded-postgres.js';
import { ensureTemporalCli, startDevServer } from '../local/temporal-cli.js';
import { createDb, migrateToLatest } from '../schema/connect.js';
import { startWorkers } from '../workers/start.js';
import { writeWorkflowBundle } from '../workers/workflow-bundle.js';

const DEV_ADMIN_KEY = 'herald-dev-admin-key-change-me';

const env = { ...process.env };
env.HERALD_BOOTSTRAP_ADMIN_KEY ??= DEV_ADMIN_KEY;
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
await migrateToLatest(db);
if (config.bootstrapAdminKey) await bootstrapAdminKey(db, config.bootstrapAdminKey);

say('• bundling workflows…');
const bundlePath = await writeWorkflowBundle(join(dataDir, 'workflow-bundle.js'));
const workers = await startWorkers(config, db, logger, { workflowBundle: { codePath: bundlePath } });

const connection = Connection.lazy({ address: temporalAddress });
const api = await startApiServer(
  {
    db,
    temporal: {
      client: new Client({ connection, namespace: config.temporalNamespace }),
      namespace: config.temporalNamespace,
      taskQueuePrefix: config.taskQueuePrefix,
      uiUrl: temporalUi,
    },
    timings: config.timings,
    publicUrl: config.publicUrl,
    logger,
    capture,
  },
  config.port,
);

const key = config.bootstrapAdminKey === DEV_ADMIN_KEY ? DEV_ADMIN_KEY : '(your HERALD_BOOTSTRAP_ADMIN_KEY)';
say(`
Herald is running.
  API            ${config.publicUrl}
  Dashboard      ${config.publicUrl}/dashboard   (sign in with the admin key below)
  API docs       ${config.publicUrl}/docs      (OpenAPI: ${config.publicUrl}/openapi.json)
  Temporal UI    ${temporalUi}
  Captured mail  ${capture ? `${config.publicUrl}/v1/dev/mail   (SMTP capture on ${capture.url})` : `sent to ${smtpUrl}`}
  Admin API key  ${key}
  Data folder    ${dataDir}
Press Ctrl-C to stop.`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('\nstopping…');
  await api.close();
  await workers.stop();
  await connection.close();
  await db.destroy();
  for (const stop of stops) await stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
