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

const server = await startApiServer(herald.api().deps, config.port, '0.0.0.0', { ops: config.ops });
logger.info({ url: server.url, opsUrl: server.opsUrl }, 'Herald API listening');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // SIGTERM (an orchestrator): first unready, still serving, so load balancers stop sending
  // before the listener closes; SIGINT (a person at a terminal) drains at once.
  server.drain();
  const delay = signal === 'SIGTERM' ? (config.drainDelayMs ?? 0) : 0;
  if (delay > 0) {
    logger.info({ delayMs: delay }, 'readiness is 503; draining after the delay');
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  await server.close(); // ends open inbox streams, then drains the requests in flight
  await herald.close(); // after the drain: writes what the last requests recorded
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
