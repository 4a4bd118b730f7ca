// 2. The Temporal dev server (persistent SQLite file) is stopped mid-campaign and started
// again on the same file and port: nothing is lost and the campaign completes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { freePort } from '../../common/free-port.js';
import { ensureTemporalCli, startDevServer, type DevServer } from '../../local/temporal-cli.js';
import { firstMailAfter, range, seedTemplate, seedUsers, sendSingles, startBulk, tally, waitAllFinal, type ScenarioResult } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { createDatabase } from '../lib/database.js';
import { startHerald } from '../lib/herald.js';
import { sleep, until } from '../lib/processes.js';
import { countValues } from './worker-kill.js';

export interface TemporalRestartParams {
  n: number;
  mode: 'bulk' | 'singles';
  downMs: number;
  stopAtFraction: number;
  timeoutMs: number;
}

export async function temporalRestart(ctx: ScenarioContext, p: TemporalRestartParams): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-chaos-temporal-'));
  const cli = ensureTemporalCli();
  const port = await freePort();
  const dbFile = join(dir, 'temporal.sqlite');
  let server: DevServer = await startDevServer({ cli, port, dbFile });
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: p.n * 2 + 100 });
  const database = await createDatabase();
  const h = await startHerald({
    temporalAddress: server.address,
    databaseUrl: database.url,
    smtp,
    bundlePath: ctx.bundlePath,
    workers: 'inproc',
    env: { HERALD_BULK_PAGE_SIZE: '500', HERALD_BULK_BATCH_SIZE: '100', HERALD_BULK_CONCURRENCY: '20', HERALD_WORKER_SLOTS: '12', HERALD_DELIVERY_TIMEOUT_MS: '5000', HERALD_RETRY_INITIAL_MS: '200', HERALD_RETRY_MAX_INTERVAL_MS: '2000' },
  });
  try {
    await seedUsers(h, p.n);
    await seedTemplate(h);
    const ids = p.mode === 'bulk' ? [await startBulk(h)] : (await sendSingles(h, range(p.n), { concurrency: 16 })).accepted;
    await until('mails before the restart', () => (smtp.mails().length >= p.n * p.stopAtFraction ? true : undefined), p.timeoutMs, 20);
    const atStop = smtp.mails().length;
    await server.stop();
    ctx.log(`temporal-restart: stopped after ${atStop} mails`);
    // While Temporal is down the API refuses new sends with 503 instead of losing them.
    const during = await h.request('POST', '/v1/notifications', { template: 'campaign', to: { userIds: ['u000000'] }, data: { n: 'x' }, idempotencyKey: 'during-temporal-outage' });
    await sleep(p.downMs);
    server = await startDevServer({ cli, port, dbFile });
    const restartedAt = Date.now();
    ctx.log('temporal-restart: started again');
    const final = await waitAllFinal(h, ids, p.timeoutMs);
    await sleep(1000);
    const t = await tally(h, smtp, ids, range(p.n));
    const statuses = [...final.values()];
    return {
      scenario: 'Temporal dev server restart',
      sent: t.sent,
      delivered: t.delivered,
      lost: t.lost,
      duplicated: t.duplicated,
      recoveryMs: firstMailAfter(smtp, restartedAt),
      ok: t.lost === 0 && statuses.every((s) => s === 'completed') && during.status === 503,
      notes: [`stopped after ${atStop}/${p.n} mails, down ${p.downMs} ms`, `POST while down: ${during.status}`],
      details: { ...t, statuses: countValues(statuses), postWhileDown: during.status },
    };
  } finally {
    await h.stop();
    await smtp.close();
    await database.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
