// The baseline worker in a process of its own, as Herald's workers run in the benchmarks:
// `main.ts <temporal-address> <task-queue> <smtp-url>`; prints `bare worker running` once it
// polls and stops on SIGTERM.
import { startBareWorker } from './worker.js';

const [address, taskQueue, smtpUrl] = process.argv.slice(2);
if (!address || !taskQueue || !smtpUrl) {
  console.error('usage: bench/bare/main.ts <temporal-address> <task-queue> <smtp-url>');
  process.exit(2);
}
const worker = await startBareWorker({ address, taskQueue, smtpUrl });
console.log('bare worker running');
process.once('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
