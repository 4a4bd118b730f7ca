// The worker process for chaos runs: workers/main.ts with a pre-built workflow bundle
// (argv[2]) so a restarted worker is polling again within seconds instead of re-bundling.
import { readConfig } from '../common/config.js';
import { composeHerald } from '../composition/compose-herald.js';
import { startWorkers } from '../workers/start.js';

const bundlePath = process.argv[2];
if (!bundlePath) throw new Error('usage: worker-main.ts <workflow-bundle.js>');
const config = readConfig();
const herald = composeHerald(config, { service: 'herald-chaos-worker', defaultPoolSize: 20 });
const workers = await startWorkers(config, await herald.workers(), { workflowBundle: { codePath: bundlePath } });
herald.logger.info({ queues: config.queues, slots: config.workerSlots }, 'Herald workers running');
console.log('HERALD_WORKERS_READY');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await workers.stop();
  await herald.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
