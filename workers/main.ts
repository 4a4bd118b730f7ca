// The worker process: `npm run worker`. `HERALD_QUEUES=high` (or `--queues high`) serves one
// priority only, so each priority can be scaled on its own.
import { parseArgs } from 'node:util';
import { readConfigOrExit } from '../common/config.js';
import { composeHerald } from '../composition/compose-herald.js';
import { migrateToLatest } from '../schema/connect.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { startWorkers } from './start.js';
import { workflowBundleOption } from './workflow-bundle.js';

const { values } = parseArgs({ options: { queues: { type: 'string' } } });
const config = readConfigOrExit(values.queues ? { ...process.env, HERALD_QUEUES: values.queues } : process.env);
// A campaign keeps (parallel batches × concurrency) deliveries in flight, each a few queries.
const herald = composeHerald(config, { service: 'herald-worker', defaultPoolSize: 40 });
const { logger } = herald;
await migrateToLatest(herald.db);
const deps = await herald.workers();
const added = await ensureSearchAttributes(deps.connection, config.temporalNamespace).catch((err: unknown) => {
  logger.warn({ err: (err as Error).message }, 'could not register search attributes');
  return [];
});
if (added.length) logger.info({ added }, 'registered search attributes');

// HERALD_WORKFLOW_BUNDLE, else the bundle `npm run build` wrote to dist/ (when running from
// dist/), else the workflows are bundled now.
const workflowBundle = config.workflowBundlePath ? { codePath: config.workflowBundlePath } : await workflowBundleOption();
logger.info({ workflowBundle: 'codePath' in workflowBundle ? workflowBundle.codePath : 'bundled at start' }, 'workflow code');
const workers = await startWorkers(config, deps, { workflowBundle });
logger.info({ queues: config.queues, slots: config.workerSlots, prefix: config.taskQueuePrefix }, 'Herald workers running');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'draining workers');
  await workers.stop();
  await herald.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
