// Benchmark 3: latency of high-priority single sends at idle, then again while a
// low-priority campaign is being delivered by the same workers.
import { createLatencyTracker, importUsers, percentile, prepareCampaign, publishTemplate, runBounded, sleep, startHerald, startTemporalEnv, startWorkerProcess } from './harness.js';
import { goal, machine, modeOf, writeResult, type BenchOptions, type BenchResult } from './report.js';
import { latencyRow, type LatencyRun } from './single-overhead.js';

/** A few clients, each waiting for its mail before the next: a steady trickle, not a flood. */
const HIGH_CONCURRENCY = 4;

/**
 * How the workers are deployed: one process serving every queue (the default), or a process
 * of its own for the high queue next to one for medium and low (`HERALD_QUEUES`).
 */
const LAYOUTS = [
  { name: 'one worker process, all queues', queues: [undefined] },
  { name: 'high on its own worker process', queues: ['high', 'medium,low'] },
] as const;

export async function runPriorityIsolation(o: BenchOptions): Promise<BenchResult> {
  const campaignN = o.n ?? (o.full ? 50_000 : 10_000);
  const highN = o.full ? 300 : 150;
  const temporal = await startTemporalEnv(o.temporal);
  let tracker = createLatencyTracker();
  let campaignReceived = 0;
  // The workers run in processes of their own: the campaign and the high-priority sends share
  // their slots (weighted) and event loops, not this process's, where the API, the load
  // generator and the capture SMTP server that stamps receipts run.
  const herald = await startHerald({
    temporal,
    workers: 'none',
    env: { HERALD_HISTORY_LIMIT: '1000' },
    onMail: (m) => {
      if (m.envelopeTo[0]?.startsWith('c')) campaignReceived += 1;
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
    const phase = async (offset: number): Promise<LatencyRun> => {
      tracker = createLatencyTracker();
      const t0 = performance.now();
      await runBounded(highN, HIGH_CONCURRENCY, (i) => send(offset + i));
      const latencies = await tracker.drain(300_000);
      return { count: highN, seconds: (performance.now() - t0) / 1000, latencies };
    };

    const rows: BenchResult['rows'] = [];
    const goals: BenchResult['goals'] = [];
    const notes: string[] = [];
    const chartGroups: NonNullable<BenchResult['chart']>['groups'] = [];
    for (const [l, layout] of LAYOUTS.entries()) {
      const base = l * perLayout;
      const workers = await Promise.all(
        layout.queues.map((queues) => startWorkerProcess({ ...herald.workerEnv, HERALD_WORKFLOW_BUNDLE: temporal.bundlePath, ...(queues ? { HERALD_QUEUES: queues } : {}) })),
      );
      try {
        // Warm-up, then idle.
        tracker = createLatencyTracker();
        await runBounded(20, HIGH_CONCURRENCY, (i) => send(base + highN * 2 + i));
        await tracker.drain(60_000);
        const idle = await phase(base);

        campaignReceived = 0;
        const campaign = await prepareCampaign(herald, 'everyone', 'low');
        await campaign.approve();
        // Loaded: once the campaign is really delivering.
        for (let i = 0; i < 600 && campaignReceived < Math.min(1000, campaignN / 10); i += 1) await sleep(100);
        const before = campaignReceived;
        const loaded = await phase(base + highN);
        const during = campaignReceived - before;
        const stillRunning = campaignReceived < campaignN;
        // The next layout starts from a quiet system.
        await herald.request('POST', `/v1/notifications/${campaign.id}/cancel`, { reason: 'benchmark phase over' });

        const p99 = percentile(loaded.latencies, 99) / percentile(idle.latencies, 99);
        rows.push(
          { layout: layout.name, ...latencyRow('high priority, idle (baseline)', idle, idle) },
          { layout: layout.name, ...latencyRow(`high priority, during low ${campaignN} campaign`, loaded, idle) },
        );
        goals.push(goal(`loaded p99 / idle p99 (${layout.name})`, p99, '<=', 1.5));
        notes.push(`${layout.name}: ${during} campaign mails were delivered while the loaded phase ran; the campaign was ${stillRunning ? 'still running (then cancelled)' : 'already finished'} when it ended (${campaignReceived}/${campaignN}).`);
        chartGroups.push(...[idle, loaded].map((r, i) => ({ label: `${i === 0 ? 'idle' : 'loaded'}, ${l === 0 ? 'one process' : 'high apart'}`, values: [50, 95, 99].map((q) => percentile(r.latencies, q)) })));
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    }
    return {
      name: 'priority-isolation',
      title: 'Priority isolation',
      mode: modeOf(o),
      startedAt: new Date().toISOString(),
      machine: machine(),
      params: { campaignN, highSends: highN, highConcurrency: HIGH_CONCURRENCY, workerSlots: 'default 100 per process, weighted 50/30/20 across the queues it serves' },
      columns: ['layout', 'path', 'sends', 'sends/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p99 ratio'],
      rows,
      goals,
      notes,
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
