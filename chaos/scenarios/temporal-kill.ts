// 2. The Temporal dev server (persistent SQLite file) is SIGKILLed, once mid-campaign and once
// during a stream of single sends through the API, and started again on the same file and
// port. Nothing is lost, the API answers 503 while it is away, and only sends in flight at the
// kill may be doubled (chaos/lib/crash.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { freePort } from '../../common/free-port.js';
import { ensureTemporalCli, startDevServer, type DevServer } from '../../local/temporal-cli.js';
import { countsOf, firstMailAfter, range, seedTemplate, seedUsers, sendSingles, startBulk, tally, waitAllFinal, type ScenarioResult, type SendLog } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { crashProblems, inFlightAt, inFlightRows, mailsFor } from '../lib/crash.js';
import { createDatabase } from '../lib/database.js';
import { startHerald } from '../lib/herald.js';
import { sleep, until } from '../lib/processes.js';
import { countValues } from './worker-kill.js';

export interface TemporalKillParams {
  /** Recipients of the campaign. */
  n: number;
  /** Single sends streamed through the API around the second kill. */
  singles: number;
  downMs: number;
  killAtFraction: number;
  timeoutMs: number;
}

export async function temporalKill(ctx: ScenarioContext, p: TemporalKillParams): Promise<ScenarioResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-chaos-temporal-'));
  const cli = ensureTemporalCli();
  const port = await freePort();
  const dbFile = join(dir, 'temporal.sqlite');
  let server: DevServer = await startDevServer({ cli, port, dbFile });
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: (p.n + p.singles) * 2 + 100 });
  const database = await createDatabase();
  const h = await startHerald({
    temporalAddress: server.address,
    databaseUrl: database.url,
    smtp,
    bundlePath: ctx.bundlePath,
    workers: 'inproc',
    env: { HERALD_BULK_PAGE_SIZE: '500', HERALD_BULK_BATCH_SIZE: '50', HERALD_BULK_CONCURRENCY: '10', HERALD_WORKER_SLOTS: '12', HERALD_DELIVERY_TIMEOUT_MS: '5000', HERALD_RETRY_INITIAL_MS: '200', HERALD_RETRY_MAX_INTERVAL_MS: '2000' },
  });

  /** SIGKILL once `from`…`from + n - 1` have `killAtFraction` of their mail, start again after downMs. */
  async function killMidRun(from: number, n: number) {
    await until('mails before the kill', () => (mailsFor(smtp, from, n) >= n * p.killAtFraction ? true : undefined), p.timeoutMs, 20);
    const before = await inFlightRows(h.db);
    const atFault = mailsFor(smtp, from, n);
    await server.kill();
    const inFlight = inFlightAt(before, await inFlightRows(h.db));
    ctx.log(`temporal-kill: SIGKILL after ${atFault}/${n} mails, ${inFlight} in flight`);
    // While Temporal is away the API refuses new sends with 503 instead of losing them.
    const during = await h.request('POST', '/v1/notifications', { template: 'campaign', to: { userIds: ['u000000'] }, data: { n: 'x' }, idempotencyKey: `during-kill-${from}` });
    await sleep(p.downMs);
    server = await startDevServer({ cli, port, dbFile });
    return { atFault, inFlight, postWhileDown: during.status, restartedAt: Date.now() };
  }

  async function outcome(name: string, ids: string[], from: number, n: number, fault: Awaited<ReturnType<typeof killMidRun>>, client?: SendLog): Promise<ScenarioResult> {
    const final = await waitAllFinal(h, ids, p.timeoutMs);
    const finalAfterMs = Date.now() - fault.restartedAt;
    await sleep(1000); // a duplicate would arrive late
    const t = await tally(h, smtp, ids, range(n, from));
    const statuses = [...final.values()];
    const problems = crashProblems({ n, atFault: fault.atFault, inFlight: fault.inFlight, tally: t });
    if (client?.unaccepted) problems.push(`${client.unaccepted} requests never accepted`);
    return {
      scenario: name,
      ...countsOf(t),
      inFlightBound: fault.inFlight,
      // Workers keep sending while Temporal is away: when nothing was left to send, until the run ended.
      recoveryMs: firstMailAfter(smtp, fault.restartedAt) ?? finalAfterMs,
      ok: problems.length === 0 && statuses.every((s) => s === 'completed') && fault.postWhileDown === 503,
      notes: [`killed after ${fault.atFault}/${n} mails, ${fault.inFlight} in flight, down ${p.downMs} ms`, `POST while down: ${fault.postWhileDown}`, ...problems],
      details: { ...t, ...fault, problems, statuses: countValues(statuses), apiStatuses: client?.statuses },
    };
  }

  try {
    await seedUsers(h, p.n);
    await seedUsers(h, p.singles, 'stream', p.n);
    await seedTemplate(h);
    const results: ScenarioResult[] = [];

    const bulkId = await startBulk(h);
    const a = await killMidRun(0, p.n);
    results.push(await outcome('Temporal SIGKILL mid-campaign', [bulkId], 0, p.n, a));

    // A client streaming single sends across the kill, retrying 503s with its idempotency key.
    const log: SendLog = { statuses: {}, accepted: [], unaccepted: 0 };
    const paceMs = Math.max(10, Math.floor((p.downMs * 3) / Math.max(1, p.singles / 4)));
    const traffic = sendSingles(h, range(p.singles, p.n), { concurrency: 4, paceMs, retryForMs: p.timeoutMs, log });
    const b = await killMidRun(p.n, p.singles);
    await traffic;
    results.push(await outcome('Temporal SIGKILL during single sends', log.accepted, p.n, p.singles, b, log));
    return results;
  } finally {
    await h.stop();
    await smtp.close();
    await database.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
