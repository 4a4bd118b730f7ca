// 3. PostgreSQL (a throwaway cluster of our own) is stopped mid-campaign and while clients
// keep sending through the API, then started again. While it is down the API answers 503
// (never 500); every request it accepted is delivered; the activities retry.
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { firstMailAfter, range, seedTemplate, seedUsers, sendSingles, startBulk, tally, waitAllFinal, type ScenarioResult, type SendLog } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { createDatabase } from '../lib/database.js';
import { startHerald } from '../lib/herald.js';
import { startPgCluster } from '../lib/pg-cluster.js';
import { sleep, until } from '../lib/processes.js';
import { countValues } from './worker-kill.js';

export interface PostgresRestartParams {
  /** Recipients of the bulk campaign. */
  n: number;
  /** Single sends made through the API around the outage (to other users). */
  apiSends: number;
  downMs: number;
  stopAtFraction: number;
  timeoutMs: number;
}

export async function postgresRestart(ctx: ScenarioContext, p: PostgresRestartParams): Promise<ScenarioResult> {
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
    await until('mails before the stop', () => (smtp.mails().length >= p.n * p.stopAtFraction ? true : undefined), p.timeoutMs, 20);
    // API traffic keeps going through the outage: a client that retries 503s with its idempotency key.
    const log: SendLog = { statuses: {}, accepted: [], unaccepted: 0 };
    const traffic = sendSingles(h, range(p.apiSends, p.n), { concurrency: 4, template: 'single', paceMs: Math.max(10, Math.floor((p.downMs * 2) / Math.max(1, p.apiSends / 4))), retryForMs: p.timeoutMs, log });
    await sleep(300);
    const atStop = smtp.mails().length;
    const stoppedAt = Date.now();
    await cluster.stop();
    ctx.log(`postgres-restart: stopped after ${atStop} mails`);
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
    ctx.log('postgres-restart: started again');
    await traffic;
    const ids = [bulkId, ...log.accepted];
    const final = await waitAllFinal(h, ids, p.timeoutMs);
    await sleep(1000);
    const t = await tally(h, smtp, ids, range(p.n + p.apiSends));
    const statuses = [...final.values()];
    const fiveHundreds = Object.entries(log.statuses).filter(([k]) => k.startsWith('5') && k !== '503').reduce((n, [, v]) => n + v, 0) + Object.entries(probes).filter(([k]) => /→ 5(?!03)/.test(k)).reduce((n, [, v]) => n + v, 0);
    return {
      scenario: 'PostgreSQL restart (+API traffic)',
      sent: t.sent,
      delivered: t.delivered,
      lost: t.lost,
      duplicated: t.duplicated,
      recoveryMs: firstMailAfter(smtp, restartedAt),
      ok: t.lost === 0 && fiveHundreds === 0 && log.unaccepted === 0 && statuses.every((s) => s === 'completed'),
      notes: [`stopped after ${atStop} mails, down ${p.downMs} ms`, `API sends by status ${JSON.stringify(log.statuses)}`],
      details: { ...t, statuses: countValues(statuses), apiStatuses: log.statuses, probes, fiveHundreds, unaccepted: log.unaccepted, accepted: log.accepted.length },
    };
  } finally {
    await h.stop();
    await smtp.close();
    await database.drop();
    await cluster.destroy();
  }
}
