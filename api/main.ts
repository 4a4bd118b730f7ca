// The API process: `npm run api`. Run it N times behind a load balancer; it keeps no state.
import { readConfigOrExit } from '../common/config.js';
import { composeHerald } from '../composition/compose-herald.js';
import { migrateToLatest } from '../schema/connect.js';
import { bootstrapAdminKey } from '../domain/access/bootstrap.js';
import { startApiServer } from './server.js';

const config = readConfigOrExit();
const herald = composeHerald(config, { service: 'herald-api' });
const { logger, db } = herald;
await migrateToLatest(db);
if (config.bootstrapAdminKey) await bootstrapAdminKey(db, config.bootstrapAdminKey);

const server = await startApiServer(herald.api().deps, config.port);
logger.info({ url: server.url }, 'Herald API listening');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await server.close(); // ends open inbox streams, then drains the requests in flight
  await herald.close(); // after the drain: writes what the last requests recorded
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
