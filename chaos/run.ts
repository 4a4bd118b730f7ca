// `npm run chaos`: every fault scenario (chaos/scenarios.ts) against the real stack (Temporal
// dev server, PostgreSQL, SMTP servers, ClickHouse, Herald's API and workers). Results go to
// chaos/results/<scenario>.json; the table in chaos/results/summary.md and README.md is then
// regenerated from every result file (chaos/table.ts).
//   npm run chaos -- --quick           short outages and small campaigns (what the tests run)
//   npm run chaos -- --only worker-kill,slow-provider
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScenarioResult } from './lib/campaign.js';
import { startWorld } from './lib/context.js';
import { SCENARIOS } from './scenarios.js';
import { RESULTS_DIR, secs, writeChaosTable } from './table.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const world = await startWorld((m) => console.log(`[chaos] ${m}`));
  const rows: ScenarioResult[] = [];
  try {
    for (const [name, run] of SCENARIOS) {
      if (only && !only.has(name)) continue;
      const t0 = Date.now();
      console.log(`[chaos] ${name} …`);
      let results: ScenarioResult[];
      try {
        const r = await run(world, values.quick ?? false);
        results = Array.isArray(r) ? r : [r];
      } catch (err) {
        results = [{ scenario: name, sent: 0, delivered: 0, lost: 0, duplicated: 0, inFlightBound: null, recoveryMs: null, ok: false, notes: [`error: ${(err as Error).message}`], details: {} }];
      }
      rows.push(...results);
      writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify({ scenario: name, quick: values.quick ?? false, at: new Date().toISOString(), durationMs: Date.now() - t0, results }, null, 2)}\n`);
      for (const r of results) console.log(`[chaos] ${r.scenario}: sent ${r.sent}, delivered ${r.delivered}, lost ${r.lost}, duplicated ${r.duplicated} (in flight ${r.inFlightBound ?? '—'}), recovery ${secs(r.recoveryMs)} — ${r.notes.join('; ')}`);
    }
  } finally {
    await world.close();
  }
  console.log(`\n${writeChaosTable()}`);
  process.exit(rows.every((r) => r.ok) ? 0 : 1);
}

await main();
