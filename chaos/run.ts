// `npm run chaos`: every fault scenario against the real stack (Temporal dev server, PostgreSQL,
// SMTP servers, ClickHouse, Herald's workers), then a table of what was sent, delivered, lost and
// duplicated, and how long recovery took. Results go to chaos/results/<scenario>.json.
//   npm run chaos -- --quick           short outages and small campaigns (what the tests run)
//   npm run chaos -- --only worker-kill,slow-provider
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScenarioResult } from './lib/campaign.js';
import { startWorld, type ScenarioContext } from './lib/context.js';
import { clickhouseOutage } from './scenarios/clickhouse-outage.js';
import { postgresRestart } from './scenarios/postgres-restart.js';
import { providerOutage } from './scenarios/provider-outage.js';
import { slowProvider } from './scenarios/slow-provider.js';
import { temporalRestart } from './scenarios/temporal-restart.js';
import { workerKill } from './scenarios/worker-kill.js';

type Runner = (ctx: ScenarioContext, quick: boolean) => Promise<ScenarioResult | ScenarioResult[]>;

export const SCENARIOS: ReadonlyArray<readonly [string, Runner]> = [
  ['worker-kill', (c, q) => workerKill(c, q ? { n: 60, mode: 'singles', restartAfterMs: 1000, killAtFraction: 0.3, timeoutMs: 60_000 } : { n: 20_000, mode: 'bulk', restartAfterMs: 5000, killAtFraction: 0.3, timeoutMs: 900_000 })],
  ['temporal-restart', (c, q) => temporalRestart(c, q ? { n: 40, mode: 'singles', downMs: 2000, stopAtFraction: 0.3, timeoutMs: 60_000 } : { n: 5000, mode: 'bulk', downMs: 5000, stopAtFraction: 0.3, timeoutMs: 600_000 })],
  ['postgres-restart', (c, q) => postgresRestart(c, q ? { n: 300, apiSends: 30, downMs: 3000, stopAtFraction: 0.2, timeoutMs: 60_000 } : { n: 5000, apiSends: 200, downMs: 10_000, stopAtFraction: 0.2, timeoutMs: 600_000 })],
  ['provider-outage', (c, q) => providerOutage(c, q ? { n: 50, outageMs: 10_000, timeoutMs: 60_000, retryInitialMs: 200, retryMaxIntervalMs: 2000 } : { n: 500, outageMs: 60_000, timeoutMs: 300_000, retryInitialMs: 1000, retryMaxIntervalMs: 10_000 })],
  ['clickhouse-outage', (c, q) => clickhouseOutage(c, q ? { n: 300, downMs: 10_000, stopAtFraction: 0.1, timeoutMs: 60_000 } : { n: 5000, downMs: 60_000, stopAtFraction: 0.05, timeoutMs: 600_000 })],
  ['slow-provider', (c, q) => slowProvider(c, q ? { n: 40, high: 8, delayMs: 10_000, slowForMs: 15_000, timeoutMs: 60_000, highLatencyBudgetMs: 3000 } : { n: 500, high: 30, delayMs: 10_000, slowForMs: 60_000, timeoutMs: 300_000, highLatencyBudgetMs: 3000 })],
];

const secs = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

export function formatTable(rows: ScenarioResult[]): string {
  const head = ['scenario', 'sent', 'delivered', 'lost', 'duplicated', 'time to recover', 'ok'];
  const body = rows.map((r) => [r.scenario, String(r.sent), String(r.delivered), String(r.lost), String(r.duplicated), secs(r.recoveryMs), r.ok ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const outDir = join(import.meta.dirname, 'results');
  mkdirSync(outDir, { recursive: true });
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
        results = [{ scenario: name, sent: 0, delivered: 0, lost: 0, duplicated: 0, recoveryMs: null, ok: false, notes: [`error: ${(err as Error).message}`], details: {} }];
      }
      rows.push(...results);
      writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ scenario: name, quick: values.quick ?? false, at: new Date().toISOString(), durationMs: Date.now() - t0, results }, null, 2)}\n`);
      for (const r of results) console.log(`[chaos] ${r.scenario}: sent ${r.sent}, delivered ${r.delivered}, lost ${r.lost}, duplicated ${r.duplicated}, recovery ${secs(r.recoveryMs)} — ${r.notes.join('; ')}`);
    }
  } finally {
    await world.close();
  }
  const table = formatTable(rows);
  console.log(`\n${table}`);
  writeFileSync(join(outDir, 'summary.md'), `${table}\n`);
  process.exit(rows.every((r) => r.ok) ? 0 : 1);
}

await main();
