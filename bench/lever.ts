// A lever of the worker measured before and after in one run (issue 23: "each one: before and
// after in the same run, kept only if it helps"). The same approved low-priority campaign is
// sent alternately by this checkout's worker (A, before) and by the worker of another
// checkout that holds the change (B, after), in the order ABBA… so the shared machine's drift
// falls on both. Each campaign gets a fresh worker process, as deployed (its V8 flags, the
// prebuilt workflow bundle) after a warm-up campaign; both share the Temporal dev server, the
// database, the capture SMTP server and this process's API, so only the worker's code differs.
//   git worktree add ../lever HEAD && ln -s "$PWD/node_modules" ../lever/node_modules   (then change ../lever)
//   HERALD_BENCH_LEVER_B=../lever HERALD_BENCH_LEVER_NAME=claim-load HERALD_BENCH_LEVER_WHAT='…' npm run bench -- lever [--n 10000]
// The result is bench/results/lever-<name>.json; bench/README's lever table is generated from them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { againstBaseline, benchCpuGroups, CPU_BENCH, CPU_POSTGRES_GROUPS, CPU_TEMPORAL, CPU_WORKERS, cpuPhase, type CpuPhase } from './cpu.js';
import { importUsers, meteredCampaign, prepareCampaign, PROJECT_ROOT, publishTemplate, startHerald, startTemporalEnv, startWorkerProcess, waitForFinal, workerProfileArgs, type Herald, type TemporalEnv, type WorkerProcess } from './harness.js';
import { BODIES } from './mime-build.js';
import { modeOf, round, runSpan, runStart, writeResult, type BenchOptions, type BenchResult } from './report.js';

const WARM_UP = 200;

export interface LeverOptions {
  /** The checkout whose worker is B. */
  after: string;
  /** Names the result file (lever-<name>.json). */
  name: string;
  /** What B changes, in a sentence. */
  what: string;
  /** A and B, e.g. ABBAABBA (each at least twice). */
  order: string;
  /** What the campaign sends: the benchmarks' small template (tracking on, the default), or a 20 KB newsletter without tracking. */
  content: 'template' | 'newsletter';
}

export function leverOptionsFromEnv(env = process.env): LeverOptions {
  const after = env.HERALD_BENCH_LEVER_B;
  const name = env.HERALD_BENCH_LEVER_NAME;
  if (!after || !existsSync(resolve(after, 'workers', 'main.ts'))) throw new Error('HERALD_BENCH_LEVER_B must name a checkout of Herald (a directory with workers/main.ts) holding the change');
  if (!name || !/^[a-z0-9-]+$/.test(name)) throw new Error('HERALD_BENCH_LEVER_NAME must be a short name in lowercase letters, digits and dashes');
  const content = env.HERALD_BENCH_LEVER_CONTENT ?? 'template';
  if (content !== 'template' && content !== 'newsletter') throw new Error(`HERALD_BENCH_LEVER_CONTENT must be template or newsletter, got ${content}`);
  return { after: resolve(after), name, what: env.HERALD_BENCH_LEVER_WHAT ?? name, order: env.HERALD_BENCH_LEVER_ORDER ?? 'ABBAABBA', content };
}

/** The commit a checkout is at, and whether it holds uncommitted changes outside bench/ (the programs measuring it). */
function revisionOf(dir: string): string {
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
  const changed = git('status', '--porcelain', '--untracked-files=all', '--', '.', ':!bench', ':!node_modules', ':!dashboard/node_modules');
  return `${git('log', '-1', '--format=%h %s')}${changed ? ' (with uncommitted changes)' : ''}`;
}

/** The campaign's template, as `campaign`: the benchmarks' own, or mime-build's newsletter with tracking off. */
async function publishContent(h: Herald, content: LeverOptions['content']): Promise<void> {
  if (content === 'template') return publishTemplate(h);
  const { subject, text, html } = BODIES[1] as (typeof BODIES)[number];
  const put = await h.request('PUT', '/v1/templates/campaign', { email: { subject, text, html, tracking: false } });
  if (put.status >= 300) throw new Error(`template: ${JSON.stringify(put.body)}`);
  const pub = await h.request('POST', '/v1/templates/campaign/publish');
  if (pub.status !== 201) throw new Error(`publish: ${JSON.stringify(pub.body)}`);
}

interface Campaign {
  variant: 'A' | 'B';
  round: number;
  seconds: number;
  cpu: Record<string, number>;
}

/** One campaign on a fresh worker started from `root`. */
async function campaignOn(h: Herald, temporal: TemporalEnv, root: string, n: number, run: string): Promise<Omit<Campaign, 'variant' | 'round'>> {
  let worker: WorkerProcess | undefined;
  const cpuGroups = benchCpuGroups({ database: h.database.name, temporalPid: temporal.pid, workers: () => (worker ? [worker.pid] : []) });
  try {
    worker = await startWorkerProcess({ ...h.workerEnv, HERALD_HISTORY_LIMIT: '1000', HERALD_WORKFLOW_BUNDLE: temporal.bundlePath }, workerProfileArgs(), undefined, root);
    const warm = await prepareCampaign(h, 'warm', 'low', `warm-${run}`);
    await warm.approve();
    await waitForFinal(h, warm.id, 300_000);
    const { done, seconds, cpu } = await meteredCampaign(h, await prepareCampaign(h, 'everyone', 'low', run), cpuGroups.groups);
    if (done.counts?.sent !== n) throw new Error(`campaign ${run} ended ${done.status} with ${JSON.stringify(done.counts)}`);
    return { seconds, cpu };
  } finally {
    await cpuGroups.close();
    await worker?.stop();
  }
}

export async function runLever(o: BenchOptions, lever: LeverOptions): Promise<BenchResult> {
  const start = runStart();
  const n = o.n ?? (o.full ? 20_000 : 10_000);
  const order = [...lever.order];
  if (order.some((k) => k !== 'A' && k !== 'B') || order.filter((k) => k === 'A').length < 2 || order.filter((k) => k === 'B').length < 2) {
    throw new Error(`HERALD_BENCH_LEVER_ORDER must hold only A and B, each at least twice, got ${lever.order}`);
  }
  const roots = { A: PROJECT_ROOT, B: lever.after };
  const temporal = await startTemporalEnv(o.temporal);
  const herald = await startHerald({ temporal, workers: 'none' });
  try {
    await publishContent(herald, lever.content);
    await importUsers(herald, 'w', WARM_UP, 'warm');
    await importUsers(herald, 'r', n, 'everyone');
    const sent: Campaign[] = [];
    for (const variant of order as ('A' | 'B')[]) {
      const r = sent.filter((s) => s.variant === variant).length + 1;
      sent.push({ variant, round: r, ...(await campaignOn(herald, temporal, roots[variant], n, `${variant}${r}`)) });
    }

    const counted = [CPU_WORKERS, ...CPU_POSTGRES_GROUPS, ...(temporal.pid !== undefined ? [CPU_TEMPORAL] : [])];
    const msPer = (cpu: Record<string, number>, groups: string[], messages: number) => (groups.reduce((s, g) => s + (cpu[g] ?? 0), 0) / messages) * 1000;
    const total = (v: 'A' | 'B') => {
      const list = sent.filter((s) => s.variant === v);
      const cpu: Record<string, number> = {};
      for (const s of list) for (const [g, sec] of Object.entries(s.cpu)) cpu[g] = (cpu[g] ?? 0) + sec;
      const seconds = list.reduce((a, s) => a + s.seconds, 0);
      return { list, cpu, seconds, messages: list.length * n, rate: (list.length * n) / seconds };
    };
    const a = total('A');
    const b = total('B');
    const label = { A: `A: before (${revisionOf(PROJECT_ROOT)})`, B: `B: ${lever.what}` };
    const row = (variant: string, roundName: string, messages: number, seconds: number, cpu: Record<string, number>) => ({
      variant,
      round: roundName,
      recipients: messages,
      seconds: round(seconds, 2),
      'mails/s': round(messages / seconds),
      'CPU ms per mail': round(msPer(cpu, counted, messages), 3),
      'worker CPU ms per mail': round(msPer(cpu, [CPU_WORKERS], messages), 3),
      'PostgreSQL CPU ms per mail': round(msPer(cpu, CPU_POSTGRES_GROUPS, messages), 3),
    });
    const rows: BenchResult['rows'] = [...sent.map((s) => row(s.variant, String(s.round), n, s.seconds, s.cpu)), row('A', 'all', a.messages, a.seconds, a.cpu), row('B', 'all', b.messages, b.seconds, b.cpu)];
    const ratio = (groups: string[]) => msPer(b.cpu, groups, b.messages) / msPer(a.cpu, groups, a.messages);
    const perRound = a.list.map((ra, i) => {
      const rb = b.list[i];
      return rb ? `round ${i + 1} mails/s ${round(ra.seconds / rb.seconds, 2)}, CPU ${round(msPer(rb.cpu, counted, n) / msPer(ra.cpu, counted, n), 2)}` : '';
    });
    const cpu: CpuPhase[] = againstBaseline(
      [cpuPhase('A, all rounds', a.messages, a.cpu, counted), cpuPhase('B, all rounds', b.messages, b.cpu, counted), ...sent.map((s) => cpuPhase(`${s.variant}, round ${s.round}`, n, s.cpu, counted))],
      'A, all rounds',
    );
    return {
      name: `lever-${lever.name}`,
      title: `Lever: ${lever.what}`,
      mode: modeOf(o),
      ...runSpan(start),
      params: {
        n,
        order: order.join(''),
        content: lever.content === 'template' ? 'the benchmarks’ template (BENCH_TEMPLATE), tracking on' : `${BODIES[1]?.label} (bench/mime-build.ts), tracking off`,
        lever: lever.name,
        what: lever.what,
        before: label.A,
        after: revisionOf(lever.after),
        ratios: { 'mails/s B / A': round(b.rate / a.rate, 3), 'CPU per mail B / A': round(ratio(counted), 3), 'worker CPU per mail B / A': round(ratio([CPU_WORKERS]), 3), 'PostgreSQL CPU per mail B / A': round(ratio(CPU_POSTGRES_GROUPS), 3) },
        worker: 'node <deployed flags> --import tsx workers/main.ts from the variant’s checkout, a fresh process per campaign on the prebuilt workflow bundle, a warm-up campaign of 200 first',
      },
      columns: ['variant', 'round', 'recipients', 'seconds', 'mails/s', 'CPU ms per mail', 'worker CPU ms per mail', 'PostgreSQL CPU ms per mail'],
      rows,
      cpu,
      goals: [],
      notes: [
        `A is ${label.A}; B is ${lever.what} (${revisionOf(lever.after)}). Order ${order.join('')}, ${n} recipients per campaign; time is approve → final status.`,
        `CPU per mail counts ${counted.join(', ')}; the bench process (${CPU_BENCH}: the API and the capture SMTP server) is in the split, not the sum.`,
        `B / A over all rounds: mails/s ${round(b.rate / a.rate, 2)}, CPU per mail ${round(ratio(counted), 2)}, the worker's ${round(ratio([CPU_WORKERS]), 2)}, PostgreSQL's ${round(ratio(CPU_POSTGRES_GROUPS), 2)}. Per round: ${perRound.join('; ')}.`,
      ],
      chart: { unit: 'mails per second', series: ['A (before)', 'B (after)'], groups: [...a.list.map((ra, i) => ({ label: `round ${i + 1}`, values: [round(n / ra.seconds), round(n / (b.list[i]?.seconds ?? Number.NaN))] })), { label: 'all rounds', values: [round(a.rate), round(b.rate)] }] },
    };
  } finally {
    await herald.stop();
    await temporal.stop();
  }
}

export async function benchLever(o: BenchOptions): Promise<BenchResult> {
  const r = await runLever(o, leverOptionsFromEnv());
  writeResult(r, { ...(o.resultsDir ? { dir: o.resultsDir } : {}), ...(o.chart === false ? { chart: false } : {}) });
  return r;
}
