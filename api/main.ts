// The API process: `npm run api`. Run it N times behind a load balancer; it keeps no state.
import { Client, Connection } from '@temporalio/client';
import { readConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { createDb, migrateToLatest } from '../schema/connect.js';
import { createAnalyticsStore } from '../analytics/create-store.js';
import { createSecretBox } from '../common/secret-box.js';
import { createTelemetry } from '../common/tracing.js';
import { bootstrapAdminKey } from './bootstrap.js';
import { createInboxHub } from './inbox-hub.js';
import { startApiServer } from './server.js';
import { temporalClientInterceptors } from './tracing.js';

const config = readConfig();
const logger = createLogger(config.logLevel, 'herald-api');
if (!config.databaseUrl) throw new Error('DATABASE_URL is required (npm run dev starts an embedded PostgreSQL for you)');

const db = createDb(config.databaseUrl, { applicationName: 'herald-api' });
const inbox = createInboxHub(config.databaseUrl, logger);
await migrateToLatest(db);
if (config.bootstrapAdminKey) await bootstrapAdminKey(db, config.bootstrapAdminKey);
// Migrations and writes go to the primary only; the replica serves list and analytics reads.
const dbRead = config.databaseReplicaUrl ? createDb(config.databaseReplicaUrl, { applicationName: 'herald-api-read' }) : undefined;
// Events the API records (receipts, recalls, opens, clicks) and the analytics summary's reads.
const analytics = createAnalyticsStore({ clickhouseUrl: config.clickhouseUrl, db, logger });

// Lazy: the API starts and answers 503 while Temporal is unreachable, then recovers.
const connection = Connection.lazy({ address: config.temporalAddress ?? '127.0.0.1:7233' });
// With OTEL_EXPORTER_OTLP_ENDPOINT set, each request is a span and the workflows it starts continue its trace.
const telemetry = config.tracing ? createTelemetry(config.tracing, 'herald-api') : undefined;
const client = new Client({ connection, namespace: config.temporalNamespace, interceptors: temporalClientInterceptors(telemetry) });

const server = await startApiServer(
  {
    db,
    dbRead,
    temporal: { client, namespace: config.temporalNamespace, taskQueuePrefix: config.taskQueuePrefix, uiUrl: config.temporalUiUrl },
    timings: config.timings,
    publicUrl: config.publicUrl,
    signingKey: config.signingKey,
    tokens: config.tokens,
    logger,
    tracer: telemetry?.tracer,
    inbox,
    analytics,
    secretBox: config.secretKey ? createSecretBox(config.secretKey) : undefined,
    rateLimits: config.rateLimits,
    corsOrigins: config.corsOrigins,
  },
  config.port,
);
logger.info({ url: server.url }, 'Herald API listening');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await inbox.close(); // ends open inbox streams so the server can drain
  await server.close();
  await analytics.close(); // after the server drained: writes what its last requests recorded
  await connection.close();
  await telemetry?.shutdown(); // sends the spans of the last requests
  await db.destroy();
  await dbRead?.destroy();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
