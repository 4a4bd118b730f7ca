// The API process: `npm run api`. Run it N times behind a load balancer; it keeps no state.
import { Client, Connection } from '@temporalio/client';
import { readConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { createDb, migrateToLatest } from '../schema/connect.js';
import { bootstrapAdminKey } from './bootstrap.js';
import { startApiServer } from './server.js';

const config = readConfig();
const logger = createLogger(config.logLevel, 'herald-api');
if (!config.databaseUrl) throw new Error('DATABASE_URL is required (npm run dev starts an embedded PostgreSQL for you)');

const db = createDb(config.databaseUrl, { applicationName: 'herald-api' });
await migrateToLatest(db);
if (config.bootstrapAdminKey) await bootstrapAdminKey(db, config.bootstrapAdminKey);

// Lazy: the API starts and answers 503 while Temporal is unreachable, then recovers.
const connection = Connection.lazy({ address: config.temporalAddress ?? '127.0.0.1:7233' });
const client = new Client({ connection, namespace: config.temporalNamespace });

const server = await startApiServer(
  {
    db,
    temporal: { client, namespace: config.temporalNamespace, taskQueuePrefix: config.taskQueuePrefix, uiUrl: config.temporalUiUrl },
    timings: config.timings,
    publicUrl: config.publicUrl,
    logger,
  },
  config.port,
);
logger.info({ url: server.url }, 'Herald API listening');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await server.close();
  await connection.close();
  await db.destroy();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
