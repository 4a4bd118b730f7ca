// The million-recipient program (issue 23, goal 7): one approved low-priority campaign of N
// (1,000,000 unless --n) into the envelope-only capture SMTP server, with the workers as
// deployed in a process of their own. It records the wall time (approve → final), the worker's
// RSS growth (peak minus idle after a warm-up campaign), the history of every run the
// campaign's workflow continued into (events and bytes, read from Temporal), and PostgreSQL's
// bytes per delivery (the ledger, the log and the events, every partition with its indexes and
// TOAST). Not in the default list and not in CI: `npm run bench -- million [--n 20000]`.
import { sql } from 'kysely';
import { WORKER_NODE_FLAGS } from '../workers/node-flags.js';
import { importUsers, prepareCampaign, publishTemplate, sampleRss, sleep, startHerald, startTemporalEnv, startWorkerProcess, waitForFinal, type Herald } from './harness.js';
import { goal, modeOf, round, runSpan, runStart, writeResult, type BenchOptions, type BenchResult } from './report.js';

const WARM_UP = 200;
/** The worker's RSS growth the issue allows for a campaign of any size. */
const RSS_GROWTH_GOAL_MB = 300;
const STORAGE_TABLES = ['deliveries', 'delivery_log', 'delivery_events'] as const;

interface RunHistory {
  runs: number;
  maxEvents: number;
  totalEvents: number;
  maxBytes: number;
}

/** Every run of the campaign's workflow id (the first and each continue-as-new), from Temporal's visibility. */
async function campaignHistory(h: Herald, workflowId: string): Promise<RunHistory> {
  const r: RunHistory = { runs: 0, maxEvents: 0, totalEvents: 0, maxBytes: 0 };
  for await (const run of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    r.runs++;
    r.maxEvents = Math.max(r.maxEvents, run.historyLength);
    r.totalEvents += run.historyLength;
    r.maxBytes = Math.max(r.maxBytes, run.historySize ?? 0);
  }
  return r;
}

/** Bytes of each partitioned table: every partition's heap, indexes and TOAST. */
async function storageBytes(h: Herald): Promise<Record<(typeof STORAGE_TABLES)[number], number>> {
  const out = { deliveries: 0, delivery_log: 0, delivery_events: 0 };
  for (const t of STORAGE_TABLES) {
    const r = await sql<{ bytes: string }>`select coalesce(sum(pg_total_relation_size(relid)), 0)::text as bytes from pg_partition_tree(${t}::regclass)`.execute(h.db);
    out[t] = Number(r.rows[0]?.bytes ?? 0);
  }
  return out;
}

async function count(h: Herald, table: string): Promise<number> {
  const r = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)}`.execute(h.db);
  return Number(r.rows[0]?.n ?? 0);
}

/** The relay ships the outbox into delivery_events after the campaign ends; its size counts once it has. */
async function waitForOutboxShipped(h: Herald, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await sql<{ n: string }>`select count(*)::text as n from event_outbox where shipped_at is null`.execute(h.db);
    if (Number(r.rows[0]?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`event outbox not shipped within ${timeoutMs} ms`);
    await sleep(500);
  }
}

export async function runMillion(o: BenchOptions): Promise<BenchResult> {
  const start = runStart();
  const n = o.n ?? 1_000_000;
  const temporal = await startTemporalEnv(o.temporal);
  const herald = await startHerald({ temporal, workers: 'none' });
  // The prebuilt workflow bundle, as the image has it, so the idle floor holds no bundler garbage.
  const worker = await startWorkerProcess({ ...herald.workerEnv, HERALD_WORKFLOW_BUNDLE: temporal.bundlePath });
  try {
    await publishTemplate(herald);
    const importStart = performance.now();
    await importUsers(herald, 'w', WARM_UP, 'warm');
    await importUsers(herald, 'm', n, 'million');
    const importSeconds = (performance.now() - importStart) / 1000;
    // A server without autovacuum never reclaims the dead rows a campaign's updates leave: on this
    // machine's shared server (autovacuum off) the rate fell from 420 to 150 mails/s by 330,000.
    const autovacuum = (await sql<{ autovacuum: string }>`show autovacuum`.execute(herald.db)).rows[0]?.autovacuum ?? 'unknown';

    // Idle is after a first campaign: the workflow code, the pools and the JIT's work are in
    // place, so what the measured campaign adds is what it holds.
    const warm = await prepareCampaign(herald, 'warm', 'low', 'warm');
    await warm.approve();
    await waitForFinal(herald, warm.id, 300_000);
    await waitForOutboxShipped(herald, 120_000);
    await sleep(2000);
    const before = await storageBytes(herald);
    const deliveriesBefore = await count(herald, 'deliveries');

    const rss = sampleRss(worker.pid);
    const idleMb = rss.current() / 1e6;
    const campaign = await prepareCampaign(herald, 'million', 'low', 'million');
    const t0 = performance.now();
    await campaign.approve();
    // At a tenth of the slowest rate measured so far (about 300 mails/s), plus ten minutes.
    const done = await waitForFinal(herald, campaign.id, 600_000 + n * 33);
    const seconds = (performance.now() - t0) / 1000;
    const peakMb = rss.stop() / 1e6;
    if (done.counts?.sent !== n) throw new Error(`campaign ended ${done.status} with ${JSON.stringify(done.counts)}`);

    await waitForOutboxShipped(herald, 600_000);
    const history = await campaignHistory(herald, campaign.id);
    const after = await storageBytes(herald);
    const deliveries = (await count(herald, 'deliveries')) - deliveriesBefore;
    const perDelivery = (t: (typeof STORAGE_TABLES)[number]) => (after[t] - before[t]) / deliveries;
    const bytesPerDelivery = STORAGE_TABLES.reduce((s, t) => s + perDelivery(t), 0);
    const growthMb = peakMb - idleMb;
    const historyLimit = herald.config.timings.historyLimit;
    if (historyLimit === undefined) throw new Error('the configuration names no history limit');

    const rows = [
      { figure: 'recipients delivered', value: n },
      { figure: 'wall time, approve → final (s)', value: round(seconds, 1) },
      { figure: 'mails/s', value: round(n / seconds) },
      { figure: 'worker idle RSS (MB)', value: round(idleMb) },
      { figure: 'worker peak RSS (MB)', value: round(peakMb) },
      { figure: 'worker RSS growth, peak − idle (MB)', value: round(growthMb) },
      { figure: 'workflow runs (1 + continue-as-new)', value: history.runs },
      { figure: 'history events, largest run', value: history.maxEvents },
      { figure: 'history events, all runs', value: history.totalEvents },
      { figure: 'history bytes, largest run', value: history.maxBytes },
      { figure: 'PostgreSQL bytes per delivery (ledger + log + events)', value: round(bytesPerDelivery) },
      ...STORAGE_TABLES.map((t) => ({ figure: `  of which ${t}`, value: round(perDelivery(t)) })),
    ];
    return {
      name: 'million',
      title: 'A million recipients',
      mode: modeOf(o),
      ...runSpan(start),
      params: { recipients: n, autovacuum, warmUp: WARM_UP, importSeconds: round(importSeconds, 1), historyLimit, worker: `node ${WORKER_NODE_FLAGS.join(' ')} --import tsx workers/main.ts (its own process on the prebuilt workflow bundle, as deployed)`, sampling: 'VmRSS every 200 ms', smtp: 'capture server, envelope only' },
      columns: ['figure', 'value'],
      rows,
      goals: [
        goal('worker RSS growth (MB)', growthMb, '<=', RSS_GROWTH_GOAL_MB),
        // Continue-as-new keeps every run's history under the limit (plus the batch in flight when it is reached).
        goal('history events of the largest run / HERALD_HISTORY_LIMIT', history.maxEvents / historyLimit, '<=', 1.1),
      ],
      notes: [
        `Bytes per delivery: growth of pg_total_relation_size over every partition of ${STORAGE_TABLES.join(', ')} during the campaign, over the ${deliveries} ledger rows it wrote, after the outbox was shipped into delivery_events.`,
        `History from Temporal's visibility: every run of workflow id ${campaign.id}.`,
        ...(autovacuum === 'on' ? [] : [`The PostgreSQL server ran with autovacuum ${autovacuum}: dead rows were never reclaimed, unlike any deployment's server, so the rate fell as the campaign grew.`]),
        ...(o.n !== undefined && o.n < 1_000_000 ? [`Run at N = ${o.n}, not the million: the wall time and the RSS growth of a million are not measured by this run.`] : []),
      ],
      chart: { unit: 'MB', series: ['idle RSS', 'peak RSS', 'growth'], groups: [{ label: `${n} recipients`, values: [idleMb, peakMb, growthMb] }] },
    };
  } finally {
    await worker.stop();
    await herald.stop();
    await temporal.stop();
  }
}

export async function benchMillion(o: BenchOptions): Promise<BenchResult> {
  const r = await runMillion(o);
  writeResult(r, { ...(o.resultsDir ? { dir: o.resultsDir } : {}), ...(o.chart === false ? { chart: false } : {}) });
  return r;
}
