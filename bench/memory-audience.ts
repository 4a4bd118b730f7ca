// Benchmark 4: peak RSS of the worker process (workers/main.ts in a child process, so the
// figure is the worker's alone) during a small and a large campaign, each with a fresh
// worker. `HERALD_BENCH_CPU_PROF=1` also writes a CPU profile of the large run's worker.
import { importUsers, prepareCampaign, publishTemplate, sampleRss, startHerald, startTemporalEnv, startWorkerProcess, waitForFinal, workerProfileArgs, type Herald } from './harness.js';
import { goal, machine, modeOf, round, writeResult, type BenchOptions, type BenchResult } from './report.js';

interface MemoryRun {
  recipients: number;
  idleMb: number;
  peakMb: number;
  seconds: number;
}

async function campaignWithWorker(h: Herald, group: string, recipients: number, nodeArgs: string[]): Promise<MemoryRun> {
  const worker = await startWorkerProcess({ ...h.workerEnv, HERALD_HISTORY_LIMIT: '1000' }, nodeArgs);
  try {
    const rss = sampleRss(worker.pid);
    const idleMb = rss.current() / 1e6;
    const campaign = await prepareCampaign(h, group, 'low');
    const t0 = performance.now();
    await campaign.approve();
    const done = await waitForFinal(h, campaign.id, 1_800_000);
    const seconds = (performance.now() - t0) / 1000;
    const peakMb = rss.stop() / 1e6;
    if (done.counts?.sent !== recipients) throw new Error(`campaign ended ${done.status} with ${JSON.stringify(done.counts)}`);
    return { recipients, idleMb, peakMb, seconds };
  } finally {
    await worker.stop();
  }
}

export async function runMemoryAudience(o: BenchOptions): Promise<BenchResult> {
  const small = o.n ?? (o.full ? 10_000 : 2_000);
  const large = o.n !== undefined ? o.n * 5 : o.full ? 100_000 : 10_000;
  const temporal = await startTemporalEnv(o.temporal);
  const herald = await startHerald({ temporal, workers: 'none' });
  try {
    await publishTemplate(herald);
    await importUsers(herald, 'a', small, 'small');
    await importUsers(herald, 'b', large, 'large');
    const s = await campaignWithWorker(herald, 'small', small, []);
    const l = await campaignWithWorker(herald, 'large', large, workerProfileArgs());
    const ratio = l.peakMb / s.peakMb;
    const row = (r: MemoryRun, base: MemoryRun) => ({
      campaign: `${r.recipients} recipients`,
      'worker idle RSS MB': round(r.idleMb),
      'worker peak RSS MB': round(r.peakMb),
      seconds: round(r.seconds, 1),
      'mails/s': round(r.recipients / r.seconds),
      'peak ratio': round(r.peakMb / base.peakMb, 2),
    });
    return {
      name: 'memory-audience',
      title: 'Worker memory vs audience',
      mode: modeOf(o),
      startedAt: new Date().toISOString(),
      machine: machine(),
      params: { small, large, worker: 'node --import tsx workers/main.ts (fresh process per campaign)', sampling: 'VmRSS every 200 ms' },
      columns: ['campaign', 'worker idle RSS MB', 'worker peak RSS MB', 'seconds', 'mails/s', 'peak ratio'],
      rows: [row(s, s), row(l, s)],
      goals: [goal(`peak RSS ${large} / ${small}`, ratio, '<=', 1.2)],
      notes: ['The worker builds its workflow bundle at start (no dist/ bundle), so idle RSS includes what the bundler left behind.', ...(process.env.HERALD_BENCH_CPU_PROF === '1' ? ['CPU profile of the large run\'s worker in bench/results/profiles'] : [])],
      chart: { unit: 'MB', series: ['idle RSS', 'peak RSS'], groups: [s, l].map((r) => ({ label: `${r.recipients} recipients`, values: [r.idleMb, r.peakMb] })) },
    };
  } finally {
    await herald.stop();
    await temporal.stop();
  }
}

export async function benchMemoryAudience(o: BenchOptions): Promise<BenchResult> {
  const r = await runMemoryAudience(o);
  writeResult(r, { ...(o.resultsDir ? { dir: o.resultsDir } : {}), ...(o.chart === false ? { chart: false } : {}) });
  return r;
}
