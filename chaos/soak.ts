// `npm run soak`: 10 minutes (bounded; `-- --minutes N`, `--rate R`, default 8/s) of steady single sends,
// each to a recipient of its own, against the API and worker processes, recording their RSS and
// the sends' latency over time in chaos/results/soak.json. It fails on any error, loss or
// duplicate (counted per recipient), or when memory or latency grew in the last third.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startWorld } from './lib/context.js';
import { soak } from './scenarios/soak.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '8' } } });
const minutes = Math.min(60, Math.max(0.5, Number(values.minutes)));
const world = await startWorld();
try {
  const r = await soak(world, { durationMs: minutes * 60_000, ratePerSec: Math.min(500, Number(values.rate)), sampleEveryMs: 10_000 });
  const outDir = join(import.meta.dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'soak.json'), `${JSON.stringify({ at: new Date().toISOString(), ...r }, null, 2)}\n`);
  console.log('t (s)  api RSS (MB)  worker RSS (MB)  accepted  delivered  p95 latency (ms)');
  for (const s of r.samples) console.log(`${(s.atMs / 1000).toFixed(0).padStart(5)}  ${s.apiRssMb.toFixed(0).padStart(12)}  ${s.workerRssMb.toFixed(0).padStart(15)}  ${String(s.accepted).padStart(8)}  ${String(s.delivered).padStart(9)}  ${String(s.p95LatencyMs ?? '—').padStart(16)}`);
  console.log(`\n${r.requests} requests at ${r.ratePerSec}/s: ${r.accepted} accepted, errors ${JSON.stringify(r.errors)}; per recipient ${r.delivered} delivered, ${r.lost} lost, ${r.duplicated} duplicated`);
  console.log(`latency p50 ${r.latency.p50Ms} ms, p95 ${r.latency.p95Ms} ms, max ${r.latency.maxMs} ms; p95 last third / middle third ${r.latencyP95Ratio.toFixed(2)} (${r.latencyFlat ? 'flat' : 'GREW'})`);
  console.log(`RSS last third / middle third: API ${r.apiRssRatio.toFixed(2)}, worker ${r.workerRssRatio.toFixed(2)}`);
  process.exitCode = Object.keys(r.errors).length === 0 && r.lost === 0 && r.duplicated === 0 && r.latencyFlat && r.apiRssRatio < 1.3 && r.workerRssRatio < 1.3 ? 0 : 1;
} finally {
  await world.close();
}
