// Benchmark 2: single high-priority notifications through Herald's API (validate, persist,
// start workflow; then prepare, policy, render, ledger, deliver, finalize) against a bare
// Temporal workflow with one nodemailer activity on the same dev server. Each send goes to
// its own address so the capture server's receipt closes that send's latency.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { BARE_WORKFLOW } from './bare/worker.js';
import { createLatencyTracker, importUsers, percentile, publishTemplate, runBounded, startHerald, startNodeProcess, startTemporalEnv, startWorkerProcess, workerProfileArgs } from './harness.js';
import { againstBaseline, benchCpuGroups, CPU_BENCH, CPU_POSTGRES_GROUPS, CPU_TEMPORAL, CPU_WORKERS, cpuPhase, processGroup, startCpuMeter } from './cpu.js';
import { goal, modeOf, round, writeResult, runSpan, runStart, type BenchOptions, type BenchResult } from './report.js';

export const SINGLE_CONCURRENCY = 10;
const CPU_BARE = 'bare worker process';

export interface LatencyRun {
  count: number;
  seconds: number;
  latencies: number[];
}

export function latencyRow(label: string, r: LatencyRun, base?: LatencyRun): Record<string, string | number> {
  const p = (q: number) => round(percentile(r.latencies, q), 1);
  const row: Record<string, string | number> = { path: label, sends: r.count, 'sends/s': round(r.count / r.seconds), 'p50 ms': p(50), 'p95 ms': p(95), 'p99 ms': p(99) };
  if (base) {
    row['throughput ratio'] = round(r.count / r.seconds / (base.count / base.seconds), 2);
    row['p99 ratio'] = round(percentile(r.latencies, 99) / percentile(base.latencies, 99), 2);
  }
  return row;
}

/** Runs whose history is read, per side. */
const HISTORY_SAMPLE = 5;

/** The median history length of the last few runs once they completed, and the event types of the median one. */
async function historyOf(client: Client, workflowIds: readonly string[]): Promise<{ events: number; types: string }> {
  const runs = await Promise.all(
    workflowIds.slice(-HISTORY_SAMPLE).map(async (id) => {
      const handle = client.workflow.getHandle(id);
      await handle.result(); // its mail arrived; the run may still be finishing
      return (await handle.fetchHistory()).events ?? [];
    }),
  );
  runs.sort((a, b) => a.length - b.length);
  const median = runs[Math.floor(runs.length / 2)] ?? [];
  const counts = new Map<string, number>();
  for (const e of median) {
    const type = String(proto.temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? e.eventType).replace(/^EVENT_TYPE_/, '');
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return { events: median.length, types: [...counts].map(([t, n]) => `${n} ${t}`).join(', ') };
}

export async function runSingleOverhead(o: BenchOptions): Promise<BenchResult> {
  const start = runStart();
  const count = o.n ?? (o.full ? 2_000 : 400);
  const warmup = 20;
  const temporal = await startTemporalEnv(o.temporal);
  // Workers run as deployed, each in a process of its own (Herald's workers/main.ts and the
  // bare worker); this process keeps the API, the clients and the capture SMTP server.
  const herald = await startHerald({ temporal, workers: 'none', onMail: (m) => tracker.onMail(m) });
  let tracker = createLatencyTracker();
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const bareQueue = `bare-${randomBytes(4).toString('hex')}`;
  const bare = await startNodeProcess('bench/bare/main.ts', [temporal.address, bareQueue, herald.smtp.url], {}, 'bare worker running');
  const worker = await startWorkerProcess({ ...herald.workerEnv, HERALD_WORKFLOW_BUNDLE: temporal.bundlePath }, workerProfileArgs());
  const cpuGroups = benchCpuGroups({ database: herald.database.name, temporalPid: temporal.pid, workers: () => [worker.pid], extra: [processGroup(CPU_BARE, bare.pid)] });
  const shared = [...CPU_POSTGRES_GROUPS, CPU_TEMPORAL, CPU_BENCH].filter((g) => cpuGroups.measured.includes(g));
  try {
    await publishTemplate(herald);
    await importUsers(herald, 's', count + warmup, 'singles');

    // The workflow ids of each side's sends, for their history's size afterwards.
    const heraldRuns: string[] = [];
    const bareRuns: string[] = [];
    const heraldSend = async (i: number) => {
      const received = tracker.start(`s${i}@example.com`);
      const r = await herald.request('POST', '/v1/notifications', { template: 'campaign', to: { userIds: [`s${i}`] }, data: { n: String(i) }, priority: 'high' });
      if (r.status !== 202) throw new Error(`send: ${r.status} ${JSON.stringify(r.body)}`);
      heraldRuns.push(String(r.body.id));
      await received;
    };
    const bareSend = async (i: number) => {
      const to = `b${i}@example.com`;
      const received = tracker.start(to);
      const workflowId = `bare-${i}-${randomBytes(3).toString('hex')}`;
      await client.workflow.start(BARE_WORKFLOW, {
        taskQueue: bareQueue,
        workflowId,
        args: [{ from: 'herald@example.com', to, subject: `Sale ${i} for b${i}`, text: `Hello b${i}, the sale starts now.`, html: `<p>Hello <b>b${i}</b>, the sale starts now.</p>` }],
      });
      bareRuns.push(workflowId);
      await received;
    };
    const measure = async (send: (i: number) => Promise<void>, offset: number): Promise<LatencyRun & { cpu: Record<string, number> }> => {
      tracker = createLatencyTracker();
      await runBounded(warmup, SINGLE_CONCURRENCY, (i) => send(offset + i));
      await tracker.drain(60_000);
      tracker = createLatencyTracker();
      const meter = await startCpuMeter(cpuGroups.groups);
      const t0 = performance.now();
      await runBounded(count, SINGLE_CONCURRENCY, (i) => send(offset + warmup + i));
      const latencies = await tracker.drain(300_000);
      const seconds = (performance.now() - t0) / 1000;
      return { count, seconds, latencies, cpu: await meter.stop() };
    };

    // Bare first, then Herald: each sees the dev server with the other's history already in it.
    const b = await measure(bareSend, 0);
    const h = await measure(heraldSend, 0);
    const cpu = againstBaseline([cpuPhase('Herald single sends', count, h.cpu, [CPU_WORKERS, ...shared]), cpuPhase('bare workflow + 1 activity (baseline)', count, b.cpu, [CPU_BARE, ...shared])], 'bare workflow + 1 activity (baseline)');
    const rows = [latencyRow('Herald single send (API → SMTP)', h, b), latencyRow('bare workflow + 1 activity (baseline)', b, b)];
    const heraldHistory = await historyOf(client, heraldRuns);
    const bareHistory = await historyOf(client, bareRuns);
    const thr = h.count / h.seconds / (b.count / b.seconds);
    const p99 = percentile(h.latencies, 99) / percentile(b.latencies, 99);
    return {
      name: 'single-overhead',
      title: 'Single-notification overhead',
      mode: modeOf(o),
      ...runSpan(start),
      params: { sends: count, warmup, concurrency: SINGLE_CONCURRENCY, priority: 'high', workerSlots: 'Herald default 100 (high 50); bare 50', smtpPool: 5, workers: 'each in a process of its own (workers/main.ts, bench/bare/main.ts)', historyEventsPerRun: { herald: heraldHistory.events, bare: bareHistory.events } },
      columns: ['path', 'sends', 'sends/s', 'p50 ms', 'p95 ms', 'p99 ms', 'throughput ratio', 'p99 ratio'],
      rows,
      cpu,
      goals: [goal('throughput Herald / bare', thr, '>=', 0.8), goal('p99 Herald / bare', p99, '<=', 1.25)],
      notes: [
        `CPU per send counts each side's worker process plus what both use: PostgreSQL (the bench database's backends by pid, the postmaster and its auxiliary processes), ${shared.includes(CPU_TEMPORAL) ? 'the Temporal dev server this run started' : 'not the Temporal dev server (shared with other runs)'} and the bench process (Herald's API; both sides' clients and the capture SMTP server).`,
        `${SINGLE_CONCURRENCY} clients in a closed loop (each waits for its mail to arrive before sending the next); latency is the client's request start → capture server's receipt; Herald's clock starts before the HTTP POST, bare's before client.workflow.start.`, 'Both workers run in processes of their own, as deployed; the API, the clients and the capture SMTP server share this one.',
        `History per run, the median of each side's last ${HISTORY_SAMPLE} (completed): Herald ${heraldHistory.events} events (${heraldHistory.types}), bare ${bareHistory.events} events (${bareHistory.types}).`,
      ],
      chart: { unit: 'milliseconds', series: ['p50', 'p95', 'p99'], groups: [h, b].map((r, i) => ({ label: i === 0 ? 'Herald' : 'bare workflow', values: [50, 95, 99].map((q) => percentile(r.latencies, q)) })) },
    };
  } finally {
    await cpuGroups.close();
    await worker.stop();
    await bare.stop();
    await connection.close();
    await herald.stop();
    await temporal.stop();
  }
}

export async function benchSingleOverhead(o: BenchOptions): Promise<BenchResult> {
  const r = await runSingleOverhead(o);
  writeResult(r, { ...(o.resultsDir ? { dir: o.resultsDir } : {}), ...(o.chart === false ? { chart: false } : {}) });
  return r;
}
