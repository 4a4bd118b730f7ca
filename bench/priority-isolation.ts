// Benchmark 3: latency of high-priority single sends at idle, then again while a
// low-priority campaign is being delivered by the same workers.
import { createLatencyTracker, importUsers, percentile, prepareCampaign, publishTemplate, runBounded, sleep, startHerald, startTemporalEnv, startWorkerProcess } from './harness.js';
import { benchCpuGroups, CPU_BENCH, CPU_POSTGRES_GROUPS, CPU_TEMPORAL, CPU_WORKERS, cpuPhase, startCpuMeter, type CpuPhase } from './cpu.js';
import { goal, modeOf, writeResult, runSpan, runStart, type BenchOptions, type BenchResult } from './report.js';
import { latencyRow, type LatencyRun } from './single-overhead.js';

/** A few clients, each waiting for its mail before the next: a steady trickle, not a flood. */
const HIGH_CONCURRENCY = 4;

/** Campaign mails delivered before the loaded phase starts: a page and a half (HERALD_BULK_PAGE_SIZE 1,000). */
const START_LOADED_AFTER = 1_500;

/**
 * How the workers are deployed: one process serving every queue (the default); the same with
 * the campaign's batches not yielding to high-priority work (the baseline for
 * domain/delivery/admission.ts); or a process of its own for the high queue next to one for
 * medium and low (`HERALD_QUEUES`).
 */
const LAYOUTS: ReadonlyArray<{ name: string; short: string; queues: ReadonlyArray<string | undefined>; env?: Record<string, string>; baseline?: true }> = [
  { name: 'one worker process, all queues', short: 'one process', queues: [undefined] },
  { name: 'one worker process, all queues, not yielding', short: 'not yielding', queues: [undefined], env: { HERALD_YIELD_LANES: '0' }, baseline: true },
  { name: 'high on its own worker process', short: 'high apart', queues: ['high', 'medium,low'] },
];

/**
 * Whether campaign mails arrived at the start and at the end of a window (its first and last
 * tenth, at least a second each), and the fewest and most in any whole second of it.
 */
export function campaignDelivery(times: number[], from: number, to: number): { throughout: boolean; edgeSeconds: number; first: number; last: number; minPerSecond: number; maxPerSecond: number } {
  const edge = Math.max(1000, (to - from) / 10);
  const inWindow = times.filter((t) => t >= from && t <= to);
  const first = inWindow.filter((t) => t < from + edge).length;
  const last = inWindow.filter((t) => t > to - edge).length;
  const seconds = Math.max(1, Math.floor((to - from) / 1000));
  const perSecond = Array.from({ length: seconds }, (_, i) => inWindow.filter((t) => t >= from + i * 1000 && t < from + (i + 1) * 1000).length);
  return { throughout: first > 0 && last > 0, edgeSeconds: Math.round(edge / 100) / 10, first, last, minPerSecond: Math.min(...perSecond), maxPerSecond: Math.max(...perSecond) };
}

export async function runPriorityIsolation(o: BenchOptions): Promise<BenchResult> {
  const start = runStart();
  const campaignN = o.n ?? (o.full ? 50_000 : 10_000);
  const highN = o.full ? 300 : 150;
  const temporal = await startTemporalEnv(o.temporal);
  let tracker = createLatencyTracker();
  let campaignReceived = 0;
  // When each campaign mail arrived: proof that the campaign delivered throughout the loaded phase.
  let campaignTimes: number[] = [];
  // The workers run in processes of their own: the campaign and the high-priority sends share
  // their slots (weighted) and event loops, not this process's, where the API, the load
  // generator and the capture SMTP server that stamps receipts run.
  const herald = await startHerald({
    temporal,
    workers: 'none',
    env: { HERALD_HISTORY_LIMIT: '1000' },
    onMail: (m) => {
      if (m.envelopeTo[0]?.startsWith('c')) {
        campaignReceived += 1;
        campaignTimes.push(performance.now());
      }
      tracker.onMail(m);
    },
  });
  try {
    await publishTemplate(herald);
    const perLayout = highN * 2 + 20;
    await importUsers(herald, 'h', perLayout * LAYOUTS.length, 'highs');
    await importUsers(herald, 'c', campaignN, 'everyone');
    const send = async (i: number) => {
      const received = tracker.start(`h${i}@example.com`);
      const r = await herald.request('POST', '/v1/notifications', { template: 'campaign', to: { userIds: [`h${i}`] }, data: { n: String(i) }, priority: 'high' });
      if (r.status !== 202) throw new Error(`send: ${r.status} ${JSON.stringify(r.body)}`);
      await received;
    };
    const workerPids: number[] = [];
    const cpuGroups = benchCpuGroups({ database: herald.database.name, temporalPid: temporal.pid, workers: () => workerPids });
    const counted = [CPU_WORKERS, ...CPU_POSTGRES_GROUPS, CPU_TEMPORAL, CPU_BENCH].filter((g) => cpuGroups.measured.includes(g));
    const phase = async (offset: number): Promise<LatencyRun & { from: number; to: number; cpu: Record<string, number> }> => {
      tracker = createLatencyTracker();
      const meter = await startCpuMeter(cpuGroups.groups);
      const t0 = performance.now();
      await runBounded(highN, HIGH_CONCURRENCY, (i) => send(offset + i));
      const latencies = await tracker.drain(300_000);
      const to = performance.now();
      return { count: highN, seconds: (to - t0) / 1000, latencies, from: t0, to, cpu: await meter.stop() };
    };

    const rows: BenchResult['rows'] = [];
    const goals: BenchResult['goals'] = [];
    const notes: string[] = [];
    const cpu: CpuPhase[] = [];
    const chartGroups: NonNullable<BenchResult['chart']>['groups'] = [];
    for (const [l, layout] of LAYOUTS.entries()) {
      const base = l * perLayout;
      const workers = await Promise.all(
        layout.queues.map((queues) => startWorkerProcess({ ...herald.workerEnv, HERALD_WORKFLOW_BUNDLE: temporal.bundlePath, ...layout.env, ...(queues ? { HERALD_QUEUES: queues } : {}) })),
      );
      workerPids.splice(0, workerPids.length, ...workers.map((w) => w.pid));
      try {
        // Warm-up, then idle.
        tracker = createLatencyTracker();
        await runBounded(20, HIGH_CONCURRENCY, (i) => send(base + highN * 2 + i));
        await tracker.drain(60_000);
        const idle = await phase(base);

        campaignReceived = 0;
        campaignTimes = [];
        const campaign = await prepareCampaign(herald, 'everyone', 'low');
        await campaign.approve();
        // Loaded: once the campaign is really delivering, halfway through a page. At 1,000 mails
        // (a page of the default size) it would start just as the campaign stops delivering to
        // write its second page, and a layout whose write outlasts the first tenth fails.
        for (let i = 0; i < 600 && campaignReceived < Math.min(START_LOADED_AFTER, campaignN * 0.15); i += 1) await sleep(100);
        const before = campaignReceived;
        const loaded = await phase(base + highN);
        const during = campaignReceived - before;
        const stillRunning = campaignReceived < campaignN;
        const delivering = campaignDelivery(campaignTimes, loaded.from, loaded.to);
        if (!delivering.throughout) {
          throw new Error(`${layout.name}: the campaign was not delivering throughout the loaded phase (${delivering.first} mails in its first ${delivering.edgeSeconds} s, ${delivering.last} in its last; ${during} in all): the phase measured no load`);
        }
        // The next layout starts from a quiet system.
        await herald.request('POST', `/v1/notifications/${campaign.id}/cancel`, { reason: 'benchmark phase over' });

        const p99 = percentile(loaded.latencies, 99) / percentile(idle.latencies, 99);
        rows.push(
          { layout: layout.name, ...latencyRow('high priority, idle (baseline)', idle, idle) },
          { layout: layout.name, ...latencyRow(`high priority, during low ${campaignN} campaign`, loaded, idle) },
        );
        if (layout.baseline) notes.push(`${layout.name} (a baseline, not a goal): loaded p99 / idle p99 = ${p99.toFixed(2)}.`);
        else goals.push(goal(`loaded p99 / idle p99 (${layout.name})`, p99, '<=', 1.5));
        notes.push(
          `${layout.name}: ${during} campaign mails were delivered while the loaded phase ran (${delivering.first} in its first ${delivering.edgeSeconds} s, ${delivering.last} in its last; per second at least ${delivering.minPerSecond}, at most ${delivering.maxPerSecond}); the campaign was ${stillRunning ? 'still running (then cancelled)' : 'already finished'} when it ended (${campaignReceived}/${campaignN}).`,
        );
        cpu.push(cpuPhase(`${layout.name}: idle`, idle.count, idle.cpu, counted), cpuPhase(`${layout.name}: loaded (high sends + campaign mails)`, loaded.count + during, loaded.cpu, counted));
        chartGroups.push(...[idle, loaded].map((r, i) => ({ label: `${i === 0 ? 'idle' : 'loaded'}, ${layout.short}`, values: [50, 95, 99].map((q) => percentile(r.latencies, q)) })));
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    }
    return {
      name: 'priority-isolation',
      title: 'Priority isolation',
      mode: modeOf(o),
      ...runSpan(start),
      params: { campaignN, highSends: highN, highConcurrency: HIGH_CONCURRENCY, workerSlots: 'default 100 per process, weighted 50/30/20 across the queues it serves' },
      columns: ['layout', 'path', 'sends', 'sends/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p99 ratio'],
      rows,
      cpu,
      goals,
      notes: [...notes, `CPU per message counts the worker processes, PostgreSQL (the bench database's backends by pid, the postmaster and its auxiliary processes), ${counted.includes(CPU_TEMPORAL) ? 'the Temporal dev server this run started, ' : ''}and the bench process (the API, the clients, the capture SMTP server).`],
      chart: { unit: 'milliseconds', series: ['p50', 'p95', 'p99'], groups: chartGroups },
    };
  } finally {
    await herald.stop();
    await temporal.stop();
  }
}

export async function benchPriorityIsolation(o: BenchOptions): Promise<BenchResult> {
  const r = await runPriorityIsolation(o);
  writeResult(r, { ...(o.resultsDir ? { dir: o.resultsDir } : {}), ...(o.chart === false ? { chart: false } : {}) });
  return r;
}
