// A soak: the API and the workers as real child processes, a steady rate of single sends from
// a load generator on loopback, and each process's RSS sampled from /proc over time. Memory is
// "flat" when the last third's mean RSS is close to the second third's (the first third is warm-up).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { freePort } from '../../common/free-port.js';
import { CHAOS_ADMIN_KEY } from '../lib/herald.js';
import type { ScenarioContext } from '../lib/context.js';
import { createDatabase } from '../lib/database.js';
import { sleep, startNodeProcess, until, type ChildProc } from '../lib/processes.js';

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
  delivered: number;
}

export interface SoakResult {
  durationMs: number;
  ratePerSec: number;
  requests: number;
  accepted: number;
  errors: Record<string, number>;
  delivered: number;
  samples: SoakSample[];
  /** Mean RSS of the last third over the middle third, per process. */
  apiRssRatio: number;
  workerRssRatio: number;
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

export async function soak(ctx: ScenarioContext, p: SoakParams): Promise<SoakResult> {
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: 1000 });
  let delivered = 0;
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
  try {
    const api = startNodeProcess('api/main.ts', env);
    procs.push(api);
    const worker = startNodeProcess('chaos/worker-main.ts', env, [ctx.bundlePath]);
    procs.push(worker);
    await until('API ready', async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 120_000, 250);
    await until('worker ready', () => (worker.log.some((l) => l.includes('HERALD_WORKERS_READY')) ? true : undefined), 120_000, 100);
    await fetch(`${url}/v1/templates/soak`, { method: 'PUT', headers, body: JSON.stringify({ email: { subject: 'Soak {{n}}', text: 'Hello {{name}}' } }) });
    await fetch(`${url}/v1/templates/soak/publish`, { method: 'POST', headers });
    for (let i = 0; i < 50; i++) await fetch(`${url}/v1/users/s${i}`, { method: 'PUT', headers, body: JSON.stringify({ name: `S${i}`, email: `s${i}@example.com` }) });

    const errors: Record<string, number> = {};
    let requests = 0;
    let accepted = 0;
    const samples: SoakSample[] = [];
    const t0 = Date.now();
    let nextSample = t0;
    const inflight = new Set<Promise<void>>();
    const interval = 1000 / p.ratePerSec;
    // Bounded: one request per tick until the duration is spent.
    for (let k = 0; Date.now() - t0 < p.durationMs; k++) {
      const due = t0 + k * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      requests++;
      const req = fetch(`${url}/v1/notifications`, { method: 'POST', headers, body: JSON.stringify({ template: 'soak', to: { userIds: [`s${k % 50}`] }, data: { n: k, name: 'S' } }), signal: AbortSignal.timeout(30_000) })
        .then(async (r) => {
          await r.arrayBuffer();
          if (r.status === 202) accepted++;
          else errors[String(r.status)] = (errors[String(r.status)] ?? 0) + 1;
        })
        .catch((err: unknown) => {
          errors[(err as Error).name] = (errors[(err as Error).name] ?? 0) + 1;
        });
      inflight.add(req);
      void req.finally(() => inflight.delete(req));
      if (Date.now() >= nextSample) {
        delivered = smtp.mails().length > 0 ? (smtp.mails().at(-1)?.id ?? 0) : 0;
        samples.push({ atMs: Date.now() - t0, apiRssMb: rssMb(api.child.pid), workerRssMb: rssMb(worker.child.pid), accepted, delivered });
        nextSample += p.sampleEveryMs;
      }
    }
    await Promise.all([...inflight]);
    await until('soak deliveries drained', () => ((smtp.mails().at(-1)?.id ?? 0) >= accepted ? true : undefined), 90_000, 200).catch(() => undefined);
    delivered = smtp.mails().at(-1)?.id ?? 0;
    samples.push({ atMs: Date.now() - t0, apiRssMb: rssMb(api.child.pid), workerRssMb: rssMb(worker.child.pid), accepted, delivered });
    return {
      durationMs: p.durationMs,
      ratePerSec: p.ratePerSec,
      requests,
      accepted,
      errors,
      delivered,
      samples,
      apiRssRatio: flatnessRatio(samples.map((s) => s.apiRssMb)),
      workerRssRatio: flatnessRatio(samples.map((s) => s.workerRssMb)),
    };
  } finally {
    for (const pr of procs) await pr.stop(15_000);
    await smtp.close();
    await database.drop();
  }
}
