// The bounce receiver process: `npm run bounces`. Point the MX of HERALD_BOUNCE_DOMAIN at it
// (port HERALD_BOUNCE_SMTP_PORT, or 25 forwarded to it); it needs the database and the same
// HERALD_SIGNING_KEY (or HERALD_SECRET_KEY) as the workers that signed the return paths.
import { createTracker } from '../domain/tracking/tracker.js';
import { createAnalyticsStore } from '../analytics/create-store.js';
import { readConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { createDb, migrateToLatest } from '../schema/connect.js';
import { startBounceReceiver } from './bounce-receiver.js';

const config = readConfig();
const logger = createLogger(config.logLevel, 'herald-bounces');
if (!config.databaseUrl) throw new Error('DATABASE_URL is required (npm run dev starts an embedded PostgreSQL for you)');
if (!config.bounceDomain) throw new Error('HERALD_BOUNCE_DOMAIN is required: the domain of the return paths this process receives bounces for');

const db = createDb(config.databaseUrl, { applicationName: 'herald-bounces' });
await migrateToLatest(db);
const analytics = createAnalyticsStore({ clickhouseUrl: config.clickhouseUrl, db, logger });
const receiver = await startBounceReceiver({
  db,
  tracker: createTracker({ db, analytics, logger }),
  logger,
  signingKey: config.signingKey,
  previousSigningKeys: config.tokens.previousKeys,
  bounceDomain: config.bounceDomain,
  port: config.bounceSmtpPort,
  host: '0.0.0.0',
});
logger.info({ url: receiver.url, domain: config.bounceDomain }, 'Herald bounce receiver listening');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await receiver.close();
  await analytics.close();
  await db.destroy();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
