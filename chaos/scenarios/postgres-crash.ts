// 3. PostgreSQL (a throwaway cluster of our own, fsync on) crashes (`pg_ctl -m immediate`)
// mid-campaign while clients keep sending through the API, then starts again and replays its
// WAL. While it is down the API answers 503 (never 500); every request it accepted is
// delivered; only sends in flight at the crash may be doubled (chaos/lib/crash.ts).
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { countsOf, firstMailAfter, range, seedTemplate, seedUsers, sendSingles, startBulk, tally, waitAllFinal, type ScenarioResult, type SendLog } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { crashProblems, inFlightAt, inFlightRows, mailsFor } from '../lib/crash.js';
import { createDatabase } from '../lib/database.js';
import { startHerald } from '../lib/herald.js';
import { startPgCluster } from '../lib/pg-cluster.js';
import { sleep, until } from '../lib/processes.js';
import { countValues } from './worker-kill.js';

export interface PostgresCrashParams {
  /** Recipients of the bulk campaign. */
  n: number;
  /** Single sends made through the API around the crash (to other users). */
  apiSends: number;
  downMs: number;
  stopAtFraction: number;
  timeoutMs: number;
}

export async function postgresCrash(ctx: ScenarioContext, p: PostgresCrashParams): Promise<ScenarioResult[]> {
  const cluster = await startPgCluster();
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: (p.n + p.apiSends) * 2 + 100 });
  const database = await createDatabase(cluster.url('postgres'));
  const h = await startHerald({
    temporalAddress: ctx.temporalAddress,
    databaseUrl: database.url,
    smtp,
    bundlePath: ctx.bundlePath,
    workers: 'inproc',
    env: { HERALD_BULK_PAGE_SIZE: '500', HERALD_BULK_BATCH_SIZE: '100', HERALD_BULK_CONCURRENCY: '20', HERALD_WORKER_SLOTS: '12', HERALD_DELIVERY_TIMEOUT_MS: '5000', HERALD_RETRY_INITIAL_MS: '200', HERALD_RETRY_MAX_INTERVAL_MS: '2000' },
  });
  try {
    await seedUsers(h, p.n);
    await seedUsers(h, p.apiSends, 'api-traffic', p.n);
    await seedTemplate(h);
    await seedTemplate(h, 'single');
    const bulkId = await startBulk(h);
    await until('campaign mails before the crash', () => (mailsFor(smtp, 0, p.n) >= p.n * p.stopAtFraction ? true : undefined), p.timeoutMs, 20);
    // API traffic keeps going through the outage: a client that retries 503s with its idempotency key.
    const log: SendLog = { statuses: {}, accepted: [], unaccepted: 0 };
    const traffic = sendSingles(h, range(p.apiSends, p.n), { concurrency: 4, template: 'single', paceMs: Math.max(10, Math.floor((p.downMs * 2) / Math.max(1, p.apiSends / 4))), retryForMs: p.timeoutMs, log });
    await until('API mails before the crash', () => (mailsFor(smtp, p.n, p.apiSends) > 0 ? true : undefined), p.timeoutMs, 20);
    const before = await inFlightRows(h.db);
    const atCrash = { campaign: mailsFor(smtp, 0, p.n), api: mailsFor(smtp, p.n, p.apiSends) };
    const stoppedAt = Date.now();
    await cluster.crash();
    ctx.log(`postgres-crash: crashed after ${atCrash.campaign} campaign and ${atCrash.api} API mails`);
    // What the API answers while PostgreSQL is down, beside the client traffic.
    const probes: Record<string, number> = {};
    while (Date.now() - stoppedAt < p.downMs) {
      for (const [m, path] of [['GET', `/v1/notifications/${bulkId}`], ['GET', '/v1/users/u000001'], ['GET', '/readyz']] as const) {
        const r = await h.request(m, path).catch(() => undefined);
        const k = `${m} ${path.split('/').slice(0, 3).join('/')} → ${r?.status ?? 'network'}`;
        probes[k] = (probes[k] ?? 0) + 1;
      }
      await sleep(250);
    }
    await cluster.start();
    const restartedAt = Date.now();
    // What survived the crash as claimed and not sent, read before the workers' retries get to it.
    const after = await until('the ledger after the crash', () => inFlightRows(h.db), 30_000, 20);
    ctx.log('postgres-crash: started again');
    await traffic;
    const final = await waitAllFinal(h, [bulkId, ...log.accepted], p.timeoutMs);
    await sleep(1000);
    const fiveHundreds = Object.entries(log.statuses).filter(([k]) => k.startsWith('5') && k !== '503').reduce((n, [, v]) => n + v, 0) + Object.entries(probes).filter(([k]) => /→ 5(?!03)/.test(k)).reduce((n, [, v]) => n + v, 0);
    const part = async (name: string, ids: string[], from: number, n: number, atFault: number, extra: string[]): Promise<ScenarioResult> => {
      const t = await tally(h, smtp, ids, range(n, from));
      const inFlight = inFlightAt(before, after, new Set(ids));
      const statuses = ids.map((id) => final.get(id) ?? 'unknown');
      const problems = [...crashProblems({ n, atFault, inFlight, tally: t }), ...extra];
      return {
        scenario: name,
        ...countsOf(t),
        inFlightBound: inFlight,
        recoveryMs: firstMailAfter(smtp, restartedAt),
        ok: problems.length === 0 && statuses.every((s) => s === 'completed'),
        notes: [`crashed after ${atFault}/${n} mails, ${inFlight} in flight, down ${p.downMs} ms`, ...problems],
        details: { ...t, atFault, inFlight, problems, statuses: countValues(statuses), probes, fiveHundreds },
      };
    };
    const clientProblems = [...(fiveHundreds > 0 ? [`${fiveHundreds} answers 5xx other than 503`] : []), ...(log.unaccepted > 0 ? [`${log.unaccepted} requests never accepted`] : [])];
    const campaign = await part('PostgreSQL crash mid-campaign', [bulkId], 0, p.n, atCrash.campaign, []);
    const ingest = await part('PostgreSQL crash during API ingest', log.accepted, p.n, p.apiSends, atCrash.api, clientProblems);
    ingest.notes.push(`API sends by status ${JSON.stringify(log.statuses)}`);
    Object.assign(ingest.details, { apiStatuses: log.statuses, unaccepted: log.unaccepted, accepted: log.accepted.length });
    return [campaign, ingest];
  } finally {
    await h.stop();
    await smtp.close();
    await database.drop();
    await cluster.destroy();
  }
}
