// The worker process for chaos runs: workers/main.ts with a pre-built workflow bundle
// (argv[2]) so a restarted worker is polling again within seconds instead of re-bundling.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { readConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { createDb } from '../schema/connect.js';
import { startWorkers } from '../workers/start.js';

const bundlePath = process.argv[2];
if (!bundlePath) throw new Error('usage: worker-main.ts <workflow-bundle.js>');
const config = readConfig();
const logger = createLogger(config.logLevel, 'herald-chaos-worker');
if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
Runtime.install({ logger: new DefaultLogger('WARN') });

const db = createDb(config.databaseUrl, { applicationName: 'herald-chaos-worker', max: 20 });
const workers = await startWorkers(config, db, logger, { workflowBundle: { codePath: bundlePath } });
logger.info({ queues: config.queues, slots: config.workerSlots }, 'Herald workers running');
console.log('HERALD_WORKERS_READY');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await workers.stop();
  await db.destroy();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
