// Benchmark 4: how much the worker process's RSS grows (peak minus idle; workers/main.ts in
// a child process, so the figure is the worker's alone) during a small and a large campaign,
// each with a fresh worker. A worker that holds nothing per recipient grows alike for both.
// Both sizes run twice, the worker as deployed (its V8 flags, workers/node-flags.ts) and with
// Node's defaults, interleaved, so the flags are measured against Node's defaults in the same run.
// `HERALD_BENCH_CPU_PROF=1` also writes a CPU profile of the large default run's worker.
import { importUsers, meteredCampaign, prepareCampaign, publishTemplate, sampleRss, sleep, startHerald, startTemporalEnv, startWorkerProcess, waitForFinal, workerProfileArgs, type Herald, type TemporalEnv } from './harness.js';
import { WORKER_NODE_FLAGS } from '../workers/node-flags.js';
import { againstBaseline, benchCpuGroups, CPU_POSTGRES_GROUPS, CPU_TEMPORAL, CPU_WORKERS, cpuPhase } from './cpu.js';
import { goal, modeOf, round, writeResult, runSpan, runStart, type BenchOptions, type BenchResult } from './report.js';

interface MemoryRun {
  recipients: number;
  variant: string;
  idleMb: number;
  peakMb: number;
  seconds: number;
  cpu: Record<string, number>;
}

/** A fresh worker process runs a warm-up campaign, then the measured one. */
const WARM_UP = 200;

/** The flags measured: the deployed worker's, unless `HERALD_BENCH_WORKER_FLAGS` (space-separated) tries others. */
const DEPLOYED_FLAGS: readonly string[] = process.env.HERALD_BENCH_WORKER_FLAGS?.split(/\s+/).filter(Boolean) ?? WORKER_NODE_FLAGS;
const DEPLOYED = `deployed (${DEPLOYED_FLAGS.join(' ')})`;
const NODE_DEFAULTS = "Node's defaults";

async function campaignWithWorker(h: Herald, temporal: TemporalEnv, group: string, recipients: number, v8: readonly string[], nodeArgs: string[] = []): Promise<MemoryRun> {
  const variant = v8.length === 0 ? NODE_DEFAULTS : DEPLOYED;
  // The prebuilt workflow bundle, as the image has it: a worker that bundled at start would
  // count the bundler's freed memory in its idle RSS, room the campaign then grows into unseen.
  const worker = await startWorkerProcess({ ...h.workerEnv, HERALD_HISTORY_LIMIT: '1000', HERALD_WORKFLOW_BUNDLE: temporal.bundlePath }, nodeArgs, v8);
  const cpuGroups = benchCpuGroups({ database: h.database.name, temporalPid: temporal.pid, workers: () => [worker.pid] });
  try {
    // Idle is after a first campaign: the workflow code, the pools and the JIT's work are in
    // place, so what the measured campaign adds is what it holds.
    const warm = await prepareCampaign(h, 'warm', 'low', `warm-${group}`);
    await warm.approve();
    await waitForFinal(h, warm.id, 300_000);
    await sleep(2000);
    const rss = sampleRss(worker.pid);
    const idleMb = rss.current() / 1e6;
    const { done, seconds, cpu } = await meteredCampaign(h, await prepareCampaign(h, group, 'low'), cpuGroups.groups);
    const peakMb = rss.stop() / 1e6;
    if (done.counts?.sent !== recipients) throw new Error(`campaign ended ${done.status} with ${JSON.stringify(done.counts)}`);
    return { recipients, variant, idleMb, peakMb, seconds, cpu };
  } finally {
    await cpuGroups.close();
    await worker.stop();
  }
}

export async function runMemoryAudience(o: BenchOptions): Promise<BenchResult> {
  const start = runStart();
  const small = o.n ?? (o.full ? 10_000 : 2_000);
  const large = o.n !== undefined ? o.n * 5 : o.full ? 100_000 : 10_000;
  const temporal = await startTemporalEnv(o.temporal);
  const herald = await startHerald({ temporal, workers: 'none' });
  try {
    await publishTemplate(herald);
    await importUsers(herald, 'w', WARM_UP, 'warm');
    await importUsers(herald, 'a', small, 'small');
    await importUsers(herald, 'b', large, 'large');
    await importUsers(herald, 'c', small, 'small-node');
    await importUsers(herald, 'd', large, 'large-node');
    const s = await campaignWithWorker(herald, temporal, 'small', small, DEPLOYED_FLAGS);
    const sn = await campaignWithWorker(herald, temporal, 'small-node', small, []);
    const l = await campaignWithWorker(herald, temporal, 'large', large, DEPLOYED_FLAGS, workerProfileArgs());
    const ln = await campaignWithWorker(herald, temporal, 'large-node', large, []);
    const runs = [s, sn, l, ln];
    const growth = (r: MemoryRun) => r.peakMb - r.idleMb;
    const label = (r: MemoryRun) => `${r.recipients} recipients, ${r.variant}`;
    const mailsPerSecond = (r: MemoryRun) => r.recipients / r.seconds;
    const row = (r: MemoryRun, base: MemoryRun) => ({
      campaign: label(r),
      'worker idle RSS MB': round(r.idleMb),
      'worker peak RSS MB': round(r.peakMb),
      'growth MB': round(growth(r)),
      'growth per recipient KB': round((growth(r) * 1000) / r.recipients, 2),
      seconds: round(r.seconds, 1),
      'mails/s': round(mailsPerSecond(r)),
      'growth ratio': round(growth(r) / growth(base), 2),
    });
    const counted = [CPU_WORKERS, ...CPU_POSTGRES_GROUPS, CPU_TEMPORAL].filter((g) => g !== CPU_TEMPORAL || temporal.pid !== undefined);
    const cpu = againstBaseline(
      runs.map((r) => cpuPhase(label(r), r.recipients, r.cpu, counted)),
      label(s),
    );
    const workerCpuPerMail = (r: MemoryRun) => (r.cpu[CPU_WORKERS] ?? Number.NaN) / r.recipients;
    return {
      name: 'memory-audience',
      title: 'Worker memory vs audience',
      mode: modeOf(o),
      ...runSpan(start),
      params: { small, large, warmUp: WARM_UP, worker: "node <the variant's flags> --import tsx workers/main.ts (fresh process per campaign on the prebuilt workflow bundle, a warm-up campaign first)", variants: `${DEPLOYED}, ${NODE_DEFAULTS}; run order small deployed, small Node defaults, large deployed, large Node defaults`, sampling: 'VmRSS every 200 ms' },
      columns: ['campaign', 'worker idle RSS MB', 'worker peak RSS MB', 'growth MB', 'growth per recipient KB', 'seconds', 'mails/s', 'growth ratio'],
      rows: [row(s, s), row(sn, sn), row(l, s), row(ln, sn)],
      cpu,
      goals: [
        goal(`RSS growth (peak − idle) ${large} / ${small}, worker ${DEPLOYED}`, growth(l) / growth(s), '<=', 1.5),
        goal(`${large} recipients mails/s, ${DEPLOYED} / ${NODE_DEFAULTS}`, mailsPerSecond(l) / mailsPerSecond(ln), '>=', 0.95),
        goal(`${large} recipients worker CPU per mail, ${DEPLOYED} / ${NODE_DEFAULTS}`, workerCpuPerMail(l) / workerCpuPerMail(ln), '<=', 1.05),
      ],
      notes: [
        `Growth ratio: against the ${small}-recipient campaign of the same variant. With ${NODE_DEFAULTS}: ${round(growth(ln) / growth(sn), 2)} (${round(growth(ln))} MB at ${large}, against ${round(growth(l))} MB deployed).`,
        `Idle is the worker's RSS after a ${WARM_UP}-recipient warm-up campaign in the same process; growth is the measured campaign's peak minus that.`,
        `Whole-process peak RSS ${large} / ${small}: ${round(l.peakMb / s.peakMb, 2)} (the idle floor counted on both sides, so it hides growth).`,
        ...(process.env.HERALD_BENCH_CPU_PROF === '1' ? ["CPU profile of the large run's worker in bench/results/profiles"] : []),
      ],
      chart: { unit: 'MB', series: ['idle RSS', 'peak RSS', 'growth'], groups: runs.map((r) => ({ label: label(r), values: [r.idleMb, r.peakMb, growth(r)] })) },
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
