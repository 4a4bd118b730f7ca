// `npm run dev`: the whole Herald stack on embedded defaults, on one data folder, so a
// second start picks up where the first stopped. Uses TEMPORAL_ADDRESS / DATABASE_URL /
// SMTP_URL instead of the embedded pieces when they are set.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bootstrapAdminKey } from '../domain/access/bootstrap.js';
import { startApiServer } from '../api/server.js';
import { DEV_BOOTSTRAP_ADMIN_KEY as DEV_ADMIN_KEY, readConfigOrExit } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { composeHerald } from '../composition/compose-herald.js';
import { startBounceReceiver } from '../inbound/bounce-receiver.js';
import { startCaptureSmtp } from '../local/capture-smtp.js';
import { startEmbeddedPostgres } from '../local/embedded-postgres.js';
import { ensureTemporalCli, startDevServer } from '../local/temporal-cli.js';
import { migrateToLatest } from '../schema/connect.js';
import { startWorkers } from '../workers/start.js';
import { writeWorkflowBundle } from '../workers/workflow-bundle.js';

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
const base = readConfigOrExit(env);
const logger = createLogger(base.logLevel === 'info' ? 'warn' : base.logLevel, 'herald-dev');
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
// The capture server is dev tooling: plugged in here, so the API shows its mail at /v1/dev/mail.
const herald = composeHerald(config, { service: 'herald-dev', logger, mailCapture: capture });
await migrateToLatest(herald.db);
if (config.bootstrapAdminKey) await bootstrapAdminKey(herald.db, config.bootstrapAdminKey);

say('• bundling workflows…');
const bundlePath = await writeWorkflowBundle(join(dataDir, 'workflow-bundle.js'));
const workers = await startWorkers(config, await herald.workers(), { workflowBundle: { codePath: bundlePath } });
const api = await startApiServer(herald.api().deps, config.port, '0.0.0.0', { ops: config.ops });

// Bounces come back only to VERP return paths, which exist only with HERALD_BOUNCE_DOMAIN.
const bounces = config.bounceDomain ? await startBounceReceiver({ ...herald.bounces(), port: config.bounceSmtpPort }) : undefined;

const key = config.bootstrapAdminKey === DEV_ADMIN_KEY ? DEV_ADMIN_KEY : '(your HERALD_BOOTSTRAP_ADMIN_KEY)';
say(`
Herald is running.
  API            ${config.publicUrl}
  Dashboard      ${config.publicUrl}/dashboard   (sign in with the admin key below)
  API docs       ${config.publicUrl}/docs      (OpenAPI: ${config.publicUrl}/openapi.json)
  Temporal UI    ${temporalUi}
  Metrics        ${api.opsUrl}/metrics   (ops port: also /readyz with each dependency's state)
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
  await bounces?.close();
  await api.close();
  await workers.stop();
  await herald.close();
  for (const stop of stops) await stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
