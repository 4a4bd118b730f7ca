// `npm run soak`: 10 minutes (bounded; `-- --minutes N`, `--rate R`, default 8/s) of steady single sends
// against the API and worker processes, recording their RSS over time in
// chaos/results/soak.json and printing whether memory stayed flat.
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
  console.log('t (s)  api RSS (MB)  worker RSS (MB)  accepted  delivered');
  for (const s of r.samples) console.log(`${(s.atMs / 1000).toFixed(0).padStart(5)}  ${s.apiRssMb.toFixed(0).padStart(12)}  ${s.workerRssMb.toFixed(0).padStart(15)}  ${String(s.accepted).padStart(8)}  ${String(s.delivered).padStart(9)}`);
  console.log(`\n${r.requests} requests at ${r.ratePerSec}/s: ${r.accepted} accepted, errors ${JSON.stringify(r.errors)}, ${r.delivered} delivered`);
  console.log(`RSS last third / middle third: API ${r.apiRssRatio.toFixed(2)}, worker ${r.workerRssRatio.toFixed(2)}`);
  process.exitCode = Object.keys(r.errors).length === 0 && r.apiRssRatio < 1.3 && r.workerRssRatio < 1.3 ? 0 : 1;
} finally {
  await world.close();
}
