// The worker process: `npm run worker`. `HERALD_QUEUES=high` (or `--queues high`) serves one
// priority only, so each priority can be scaled on its own.
import { parseArgs } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { readConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { createDb, migrateToLatest } from '../schema/connect.js';
import { installTemporalRuntime } from './runtime.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { startWorkers } from './start.js';

const { values } = parseArgs({ options: { queues: { type: 'string' } } });
const config = readConfig(values.queues ? { ...process.env, HERALD_QUEUES: values.queues } : process.env);
const logger = createLogger(config.logLevel, 'herald-worker');
if (!config.databaseUrl) throw new Error('DATABASE_URL is required (npm run dev starts an embedded PostgreSQL for you)');
// With worker metrics on, the runtime serves the SDK's own metrics too, included in the worker's /metrics.
const runtime = await installTemporalRuntime({ coreMetrics: config.workerMetrics !== undefined });

// A campaign keeps (parallel batches × concurrency) deliveries in flight, each a few queries.
const db = createDb(config.databaseUrl, { applicationName: 'herald-worker', max: 40 });
await migrateToLatest(db);
const admin = await NativeConnection.connect({ address: config.temporalAddress ?? '127.0.0.1:7233' });
const added = await ensureSearchAttributes(admin, config.temporalNamespace).catch((err: unknown) => {
  logger.warn({ err: (err as Error).message }, 'could not register search attributes');
  return [];
});
if (added.length) logger.info({ added }, 'registered search attributes');
await admin.close();

const workers = await startWorkers(config, db, logger, {
  coreMetricsUrl: runtime.coreMetricsUrl,
  ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
});
logger.info({ queues: config.queues, slots: config.workerSlots, prefix: config.taskQueuePrefix }, 'Herald workers running');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'draining workers');
  await workers.stop();
  await db.destroy();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
