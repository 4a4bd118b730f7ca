// `npm run bench` runs every benchmark in turn; `npm run bench -- <name>…` only those;
// `--full` uses the full sizes, `--n` another size, `--skip-peer` leaves Apprise out (for quick
// tuning runs). A benchmark that crashes is reported and the rest still run.
import { parseArgs } from 'node:util';
import { benchApiIngest } from './api-ingest.js';
import { benchBulkThroughput } from './bulk-throughput.js';
import { benchMemoryAudience } from './memory-audience.js';
import { benchLever } from './lever.js';
import { benchMillion } from './million.js';
import { benchPriorityIsolation } from './priority-isolation.js';
import { benchRecipientVariables } from './recipient-variables.js';
import { benchSingleOverhead } from './single-overhead.js';
import { printResult, type BenchOptions, type BenchResult } from './report.js';

export const BENCHMARKS: Record<string, (o: BenchOptions) => Promise<BenchResult>> = {
  'bulk-throughput': benchBulkThroughput,
  'single-overhead': benchSingleOverhead,
  'priority-isolation': benchPriorityIsolation,
  'memory-audience': benchMemoryAudience,
  'api-ingest': benchApiIngest,
};

/** Programs run only when named (`npm run bench -- million`): too long for the default list and CI. */
export const ON_REQUEST: Record<string, (o: BenchOptions) => Promise<BenchResult>> = {
  million: benchMillion,
  'recipient-variables': benchRecipientVariables,
  /** A change to the worker, before and after (bench/lever.ts says how to name the checkout that holds it). */
  lever: benchLever,
};

const { values, positionals } = parseArgs({ options: { full: { type: 'boolean', default: false }, n: { type: 'string' }, 'skip-peer': { type: 'boolean', default: false } }, allowPositionals: true });
const names = positionals.length ? positionals : Object.keys(BENCHMARKS);
const known = { ...BENCHMARKS, ...ON_REQUEST };
const unknown = names.filter((n) => !(n in known));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(known).join(', ')}`);
  process.exit(2);
}
const failed: string[] = [];
for (const name of names) {
  const bench = known[name];
  if (!bench) continue;
  const t0 = Date.now();
  console.log(`\n=== ${name} (${values.full ? 'full' : 'quick'}) ===`);
  try {
    const r = await bench({ full: values.full ?? false, ...(values.n ? { n: Number(values.n) } : {}), ...(values['skip-peer'] ? { apprise: false } : {}) });
    printResult(r);
  } catch (err) {
    failed.push(name);
    console.error(`${name} crashed: ${(err as Error).stack ?? String(err)}`);
  }
  console.log(`(${name} took ${Math.round((Date.now() - t0) / 1000)} s)`);
}
if (failed.length) console.error(`\ncrashed: ${failed.join(', ')}`);
// Leftover pooled sockets must not keep the process alive.
process.exit(failed.length ? 1 : 0);
