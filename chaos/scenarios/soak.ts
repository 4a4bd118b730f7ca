// A soak: the API and the workers as real child processes, a steady rate of single sends from
// a load generator on loopback, each to a recipient of its own, so the SMTP server's mail counts
// losses and duplicates per recipient (a loss and a duplicate never cancel out). Each process's
// RSS is sampled from /proc over time, and each send's latency (request to mail) is kept. Memory
// and latency are "flat" when the last third is close to the middle third (the first is warm-up).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { freePort } from '../../common/free-port.js';
import { range } from '../lib/campaign.js';
import { CHAOS_ADMIN_KEY } from '../lib/herald.js';
import type { ScenarioContext } from '../lib/context.js';
import { createDatabase } from '../lib/database.js';
import { sleep, startNodeProcess, startWorkerProcess, until, type ChildProc } from '../lib/processes.js';

export interface SoakParams {
  durationMs: number;
  ratePerSec: number;
  sampleEveryMs: number;
}

export interface SoakSample {
  atMs: number;
  apiRssMb: number;
  workerRssMb: number;
  accepted: number;
  /** Recipients with their mail so far. */
  delivered: number;
  /** p95 latency of the mails that arrived since the previous sample, ms. */
  p95LatencyMs: number | null;
}

export interface SoakResult {
  durationMs: number;
  ratePerSec: number;
  requests: number;
  accepted: number;
  errors: Record<string, number>;
  /** Accepted recipients with at least one mail. */
  delivered: number;
  /** Accepted recipients with no mail. */
  lost: number;
  /** Mails beyond the first per recipient. */
  duplicated: number;
  latency: { p50Ms: number; p95Ms: number; maxMs: number };
  samples: SoakSample[];
  /** Mean RSS of the last third over the middle third, per process. */
  apiRssRatio: number;
  workerRssRatio: number;
  /** While sending: the median of the sample windows' p95 latency in the last third over the middle third's. */
  latencyP95Ratio: number;
  /** See latencyTrend. */
  latencyFlat: boolean;
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function flatnessRatio(series: number[]): number {
  const third = Math.floor(series.length / 3);
  if (third < 1) return 1;
  const middle = mean(series.slice(third, 2 * third));
  const last = mean(series.slice(2 * third));
  return middle > 0 ? last / middle : 1;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function p95(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
}

/**
 * Latency is flat when the mails arriving in the last third of the sending period are not
 * slower than those of the middle third (the median of the sample windows' p95, so that one
 * window slowed by another process on the machine does not decide): at most 1.5 × (or 500 ms
 * more, for latencies too small to compare). A window without any mail after the first third
 * means the worker stalled; a worker falling behind shows as latency growing here.
 */
function latencyTrend(windows: Array<number | null>): { ratio: number; flat: boolean } {
  const third = Math.floor(windows.length / 3);
  const later = windows.slice(third);
  if (third < 1 || later.some((w) => w === null)) return { ratio: Infinity, flat: false };
  const middle = median(windows.slice(third, 2 * third) as number[]);
  const last = median(windows.slice(2 * third) as number[]);
  return { ratio: middle > 0 ? last / middle : 1, flat: last <= Math.max(1.5 * middle, middle + 500) };
}

export async function soak(ctx: ScenarioContext, p: SoakParams): Promise<SoakResult> {
  /** Per recipient: when its request was made, whether it was accepted, and the mails it got. */
  const requestedAt = new Map<string, number>();
  const acceptedAddresses: string[] = [];
  const mailsTo = new Map<string, number>();
  const latencies: number[] = [];
  let windowLatencies: number[] = [];
  const smtp = await startCaptureSmtp({
    envelopeOnly: true,
    keep: 100,
    onMail: (m) => {
      const to = m.envelopeTo[0] ?? '?';
      const n = (mailsTo.get(to) ?? 0) + 1;
      mailsTo.set(to, n);
      const at = requestedAt.get(to);
      if (n === 1 && at !== undefined) {
        latencies.push(Date.now() - at);
        windowLatencies.push(Date.now() - at);
      }
    },
  });
  const database = await createDatabase();
  const port = await freePort();
  const env = {
    TEMPORAL_ADDRESS: ctx.temporalAddress,
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    HERALD_PORT: String(port),
    HERALD_OPS_PORT: String(await freePort()),
    HERALD_OPS_HOST: '127.0.0.1',
    HERALD_TASK_QUEUE_PREFIX: `k${randomBytes(4).toString('hex')}`,
    HERALD_BOOTSTRAP_ADMIN_KEY: CHAOS_ADMIN_KEY,
    HERALD_KEY_RATE_PER_SECOND: '10000',
    HERALD_KEY_RATE_BURST: '10000',
    HERALD_WORKER_SLOTS: '30',
    LOG_LEVEL: 'warn',
  };
  const url = `http://127.0.0.1:${port}`;
  const procs: ChildProc[] = [];
  const headers = { authorization: `Bearer ${CHAOS_ADMIN_KEY}`, 'content-type': 'application/json' };
  const total = Math.ceil((p.durationMs / 1000 + 1) * p.ratePerSec);
  const address = (k: number) => `s${k}@example.com`;
  try {
    const api = startNodeProcess('api/main.ts', env);
    procs.push(api);
    const worker = startWorkerProcess(env, ctx.bundlePath);
    procs.push(worker);
    await until('API ready', async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 120_000, 250);
    await until('worker ready', () => (worker.log.some((l) => l.includes('HERALD_WORKERS_READY')) ? true : undefined), 120_000, 100);
    await fetch(`${url}/v1/templates/soak`, { method: 'PUT', headers, body: JSON.stringify({ email: { subject: 'Soak {{n}}', text: 'Hello {{name}}' } }) });
    await fetch(`${url}/v1/templates/soak/publish`, { method: 'POST', headers });
    // One recipient per request, and one for the warm-up.
    for (let from = 0; from < total; from += 5000) {
      const lines = range(Math.min(total - from, 5000), from).map((k) => JSON.stringify({ id: `s${k}`, name: `S${k}`, email: address(k) }));
      if (from === 0) lines.push(JSON.stringify({ id: 'warm-up', name: 'W', email: address(-1) }));
      const res = await fetch(`${url}/v1/users/import`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
      if (res.status >= 300) throw new Error(`import: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }

    // Warm-up: the first send loads the workflow code and opens connections; the soak starts after its mail.
    const warmUp = await fetch(`${url}/v1/notifications`, { method: 'POST', headers, body: JSON.stringify({ template: 'soak', to: { userIds: ['warm-up'] }, data: { n: -1, name: 'W' } }) });
    if (warmUp.status !== 202) throw new Error(`warm-up send: ${warmUp.status} ${await warmUp.text()}`);
    await until('warm-up mail', () => (mailsTo.has(address(-1)) ? true : undefined), 120_000, 50);
    mailsTo.delete(address(-1));

    const errors: Record<string, number> = {};
    let requests = 0;
    let accepted = 0;
    const samples: SoakSample[] = [];
    const sample = (atMs: number) => {
      samples.push({ atMs, apiRssMb: rssMb(api.child.pid), workerRssMb: rssMb(worker.child.pid), accepted, delivered: mailsTo.size, p95LatencyMs: windowLatencies.length ? p95(windowLatencies) : null });
      windowLatencies = [];
    };
    const t0 = Date.now();
    let nextSample = t0;
    const inflight = new Set<Promise<void>>();
    const interval = 1000 / p.ratePerSec;
    // Bounded: one request per tick until the duration is spent.
    for (let k = 0; Date.now() - t0 < p.durationMs && k < total; k++) {
      const due = t0 + k * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      requests++;
      requestedAt.set(address(k), Date.now());
      const req = fetch(`${url}/v1/notifications`, { method: 'POST', headers, body: JSON.stringify({ template: 'soak', to: { userIds: [`s${k}`] }, data: { n: k, name: 'S' } }), signal: AbortSignal.timeout(30_000) })
        .then(async (r) => {
          await r.arrayBuffer();
          if (r.status === 202) {
            accepted++;
            acceptedAddresses.push(address(k));
          } else errors[String(r.status)] = (errors[String(r.status)] ?? 0) + 1;
        })
        .catch((err: unknown) => {
          errors[(err as Error).name] = (errors[(err as Error).name] ?? 0) + 1;
        });
      inflight.add(req);
      void req.finally(() => inflight.delete(req));
      if (Date.now() >= nextSample) {
        sample(Date.now() - t0);
        nextSample += p.sampleEveryMs;
      }
    }
    await Promise.all([...inflight]);
    const trend = latencyTrend(samples.map((s) => s.p95LatencyMs));
    await until('soak deliveries drained', () => (acceptedAddresses.every((a) => mailsTo.has(a)) ? true : undefined), 90_000, 200).catch(() => undefined);
    await sleep(1000); // a duplicate would arrive late
    sample(Date.now() - t0);
    const lost = acceptedAddresses.filter((a) => !mailsTo.has(a)).length;
    const duplicated = [...mailsTo.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const all = [...latencies].sort((a, b) => a - b);
    return {
      durationMs: p.durationMs,
      ratePerSec: p.ratePerSec,
      requests,
      accepted,
      errors,
      delivered: acceptedAddresses.length - lost,
      lost,
      duplicated,
      latency: { p50Ms: median(all), p95Ms: p95(all), maxMs: all.at(-1) ?? 0 },
      samples,
      apiRssRatio: flatnessRatio(samples.map((s) => s.apiRssMb)),
      workerRssRatio: flatnessRatio(samples.map((s) => s.workerRssMb)),
      latencyP95Ratio: trend.ratio,
      latencyFlat: trend.flat,
    };
  } finally {
    for (const pr of procs) await pr.stop(15_000);
    await smtp.close();
    await database.drop();
  }
}
