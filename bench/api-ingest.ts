// Benchmark 5: how many single notifications the API accepts per second (auth, validation,
// idempotency, notification row, workflow start) under a bounded load generator, against
// bare client.workflow.start calls on the same dev server at the same concurrency. No
// workers run in either phase, so only acceptance is measured.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { SA_CATEGORY, SA_KIND, SA_PRIORITY, SA_STATUS, SA_TEMPLATE, SA_TENANT } from '../domain/runs/definitions.js';
import { BARE_WORKFLOW } from './bare/worker.js';
import { importUsers, publishTemplate, runBounded, startHerald, startTemporalEnv } from './harness.js';
import { againstBaseline, benchCpuGroups, CPU_BENCH, CPU_POSTGRES_GROUPS, CPU_TEMPORAL, cpuPhase, startCpuMeter } from './cpu.js';
import { goal, modeOf, round, writeResult, runSpan, runStart, type BenchOptions, type BenchResult } from './report.js';

const CONCURRENCY = 32;

export async function runApiIngest(o: BenchOptions): Promise<BenchResult> {
  const start = runStart();
  const count = o.n ?? (o.full ? 10_000 : 2_000);
  const temporal = await startTemporalEnv(o.temporal);
  // The per-key rate limit (100/s by default) would cap what this measures: it is lifted here,
  // and any answer other than 202 is counted and reported.
  const herald = await startHerald({ temporal, workers: 'none', env: { HERALD_KEY_RATE_PER_SECOND: '1000000', HERALD_KEY_RATE_BURST: '1000000' } });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const cpuGroups = benchCpuGroups({ database: herald.database.name, temporalPid: temporal.pid, workers: () => [] });
  const counted = [CPU_BENCH, ...CPU_POSTGRES_GROUPS, CPU_TEMPORAL].filter((g) => cpuGroups.measured.includes(g));
  try {
    await publishTemplate(herald);
    await importUsers(herald, 'i', 100, 'ingest');
    const run = async (send: (i: number) => Promise<boolean>) => {
      await runBounded(100, CONCURRENCY, async (i) => void (await send(count + i))); // warm-up
      let accepted = 0;
      const meter = await startCpuMeter(cpuGroups.groups);
      const t0 = performance.now();
      await runBounded(count, CONCURRENCY, async (i) => {
        if (await send(i)) accepted += 1;
      });
      const seconds = (performance.now() - t0) / 1000;
      return { accepted, seconds, cpu: await meter.stop() };
    };
    const body = (i: number) => JSON.stringify({ template: 'campaign', to: { userIds: [`i${i % 100}`] }, data: { n: String(i) }, priority: 'medium' });
    const headers = { authorization: `Bearer ${herald.workerEnv.HERALD_BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/json' };
    const url = `${herald.api.url}/v1/notifications`;
    const tag = randomBytes(3).toString('hex');
    // The search attributes Herald puts on every run (workflow list filters in the Temporal
    // UI); on the dev server each costs a visibility write, so a reference row shows what they
    // cost alone.
    const heraldAttributes = [
      { key: SA_TENANT, value: 'default' },
      { key: SA_PRIORITY, value: 'medium' },
      { key: SA_STATUS, value: 'scheduled' },
      { key: SA_KIND, value: 'single' },
      { key: SA_CATEGORY, value: '' },
      { key: SA_TEMPLATE, value: 'campaign' },
    ];
    const bareStart = (withAttributes: boolean) => async (i: number) => {
      await client.workflow.start(BARE_WORKFLOW, {
        taskQueue: `bare-ingest-${tag}`,
        workflowId: `bare-${tag}-${withAttributes ? 'sa-' : ''}${i}`,
        args: [{ from: 'herald@example.com', to: `i${i % 100}@example.com`, subject: `Sale ${i}`, text: 'Hello, the sale starts now.', html: '<p>Hello, the sale starts now.</p>' }],
        ...(withAttributes ? { typedSearchAttributes: heraldAttributes } : {}),
      });
      return true;
    };
    const bare = await run(bareStart(false));
    const refused = new Map<number, number>();
    const h = await run(async (i) => {
      const res = await fetch(url, { method: 'POST', headers, body: body(i) });
      await res.arrayBuffer();
      if (res.status !== 202) refused.set(res.status, (refused.get(res.status) ?? 0) + 1);
      return res.status === 202;
    });
    // After Herald's phase, so Herald does not run against a dev server holding a third phase's runs.
    const bareSa = await run(bareStart(true));
    const cpu = againstBaseline(
      [
        cpuPhase('Herald POST /v1/notifications', h.accepted, h.cpu, counted),
        cpuPhase('bare client.workflow.start (baseline)', bare.accepted, bare.cpu, counted),
        cpuPhase('bare workflow.start with 6 search attributes', bareSa.accepted, bareSa.cpu, counted),
      ],
      'bare client.workflow.start (baseline)',
    );
    const hRate = h.accepted / h.seconds;
    const bRate = bare.accepted / bare.seconds;
    const saRate = bareSa.accepted / bareSa.seconds;
    const rows = [
      { path: 'Herald POST /v1/notifications', requests: count, accepted: h.accepted, seconds: round(h.seconds, 2), 'accepted/s': round(hRate), ratio: round(hRate / bRate, 2) },
      { path: 'bare client.workflow.start (baseline)', requests: count, accepted: bare.accepted, seconds: round(bare.seconds, 2), 'accepted/s': round(bRate), ratio: 1 },
      { path: "bare workflow.start with Herald's 6 search attributes (reference)", requests: count, accepted: bareSa.accepted, seconds: round(bareSa.seconds, 2), 'accepted/s': round(saRate), ratio: round(saRate / bRate, 2) },
    ];
    return {
      name: 'api-ingest',
      title: 'API ingest',
      mode: modeOf(o),
      ...runSpan(start),
      params: { requests: count, concurrency: CONCURRENCY, workers: 'none (acceptance only)', loadGenerator: 'bounded loop of concurrent fetch in the same process' },
      columns: ['path', 'requests', 'accepted', 'seconds', 'accepted/s', 'ratio'],
      rows,
      cpu,
      goals: [goal('Herald / bare accepted per second', hRate / bRate, '>=', 0.8)],
      notes: [
        refused.size === 0 ? 'Every Herald request was accepted (202).' : `Herald answers other than 202: ${[...refused].map(([st, n]) => `${n} × ${st}`).join(', ')} (warm-up included).`,
        'The load generator, the API and the bare client share this process and the machine with the dev server and PostgreSQL.',
        `CPU per accepted request counts the bench process (the API or the bare client, and the load generator), PostgreSQL (the bench database's backends by pid, the postmaster and its auxiliary processes)${counted.includes(CPU_TEMPORAL) ? ' and the Temporal dev server this run started' : ''}.`,
        `Against bare starts that carry the same six search attributes, Herald accepts ${round(hRate / saRate, 2)} × as many per second.`,
      ],
      chart: { unit: 'accepted per second', series: ['accepted/s'], groups: [{ label: 'Herald API', values: [hRate] }, { label: 'bare workflow.start', values: [bRate] }, { label: 'bare + 6 search attributes', values: [saRate] }] },
    };
  } finally {
    await cpuGroups.close();
    await connection.close();
    await herald.stop();
    await temporal.stop();
  }
}

export async function benchApiIngest(o: BenchOptions): Promise<BenchResult> {
  const r = await runApiIngest(o);
  writeResult(r, { ...(o.resultsDir ? { dir: o.resultsDir } : {}), ...(o.chart === false ? { chart: false } : {}) });
  return r;
}
