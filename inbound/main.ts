// The bounce receiver process: `npm run bounces`. Point the MX of HERALD_BOUNCE_DOMAIN at it
// (port HERALD_BOUNCE_SMTP_PORT, or 25 forwarded to it); it needs the database and the same
// HERALD_SIGNING_KEY (or HERALD_SECRET_KEY) as the workers that signed the return paths.
import { readConfigOrExit } from '../common/config.js';
import { composeHerald } from '../composition/compose-herald.js';
import { migrateToLatest } from '../schema/connect.js';
import { startBounceReceiver } from './bounce-receiver.js';

const config = readConfigOrExit();
const herald = composeHerald(config, { service: 'herald-bounces' });
const { logger } = herald;
const deps = herald.bounces();
await migrateToLatest(herald.db);
const receiver = await startBounceReceiver({ ...deps, port: config.bounceSmtpPort, host: '0.0.0.0' });
logger.info({ url: receiver.url, domain: config.bounceDomain }, 'Herald bounce receiver listening');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await receiver.close();
  await herald.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
