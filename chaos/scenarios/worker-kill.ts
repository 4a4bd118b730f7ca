// 1. The worker process is SIGKILLed mid-campaign and started again a few seconds later.
// Every recipient must end with one ledger row `sent` and one mail; only a send in flight at
// the kill may reach the SMTP server twice, with the same Message-ID (chaos/lib/crash.ts).
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { countsOf, firstMailAfter, range, seedTemplate, seedUsers, sendSingles, startBulk, tally, waitAllFinal, type ScenarioResult } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { crashProblems, inFlightAt, inFlightRows } from '../lib/crash.js';
import { createDatabase } from '../lib/database.js';
import { startHerald } from '../lib/herald.js';
import { sleep, until } from '../lib/processes.js';

export interface WorkerKillParams {
  n: number;
  /** 'bulk': one approved campaign to a group; 'singles': one notification per recipient. */
  mode: 'bulk' | 'singles';
  restartAfterMs: number;
  killAtFraction: number;
  timeoutMs: number;
}

export async function workerKill(ctx: ScenarioContext, p: WorkerKillParams): Promise<ScenarioResult> {
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: p.n * 2 + 100 });
  const database = await createDatabase();
  const h = await startHerald({
    temporalAddress: ctx.temporalAddress,
    databaseUrl: database.url,
    smtp,
    bundlePath: ctx.bundlePath,
    workers: 'child',
    env: { HERALD_BULK_PAGE_SIZE: '1000', HERALD_BULK_BATCH_SIZE: '250', HERALD_BULK_CONCURRENCY: '25', HERALD_HISTORY_LIMIT: '300', HERALD_WORKER_SLOTS: '12', HERALD_DELIVERY_TIMEOUT_MS: '5000', HERALD_RETRY_INITIAL_MS: '200', HERALD_RETRY_MAX_INTERVAL_MS: '2000' },
  });
  try {
    await seedUsers(h, p.n);
    await seedTemplate(h);
    const t0 = Date.now();
    let ids: string[];
    if (p.mode === 'bulk') ids = [await startBulk(h)];
    else ids = (await sendSingles(h, range(p.n), { concurrency: 16 })).accepted;
    ctx.log(`worker-kill: ${p.mode} of ${p.n} started`);
    await until('mails before the kill', () => (smtp.mails().length >= p.n * p.killAtFraction ? true : undefined), p.timeoutMs, 20);
    const before = await inFlightRows(h.db);
    const atKill = smtp.mails().length;
    await h.killWorkers();
    const inFlight = inFlightAt(before, await inFlightRows(h.db));
    ctx.log(`worker-kill: SIGKILL after ${atKill} mails, ${inFlight} in flight`);
    await sleep(p.restartAfterMs);
    const restartedAt = Date.now();
    await h.startWorkers();
    const final = await waitAllFinal(h, ids, p.timeoutMs);
    await sleep(1000); // a duplicate would arrive late
    const t = await tally(h, smtp, ids, range(p.n));
    const statuses = [...final.values()];
    const problems = crashProblems({ n: p.n, atFault: atKill, inFlight, tally: t });
    return {
      scenario: `worker SIGKILL mid-${p.mode === 'bulk' ? 'campaign' : 'singles'}`,
      ...countsOf(t),
      inFlightBound: inFlight,
      recoveryMs: firstMailAfter(smtp, restartedAt),
      ok: problems.length === 0 && statuses.every((s) => s === 'completed') && (t.ledger.sent ?? 0) === p.n,
      notes: [`killed after ${atKill}/${p.n} mails, ${inFlight} in flight; restarted ${p.restartAfterMs} ms later`, `mode ${p.mode}`, ...problems],
      details: { ...t, atFault: atKill, inFlight, problems, totalMs: Date.now() - t0, statuses: countValues(statuses) },
    };
  } finally {
    await h.stop();
    await smtp.close();
    await database.drop();
  }
}

export function countValues(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
