// 7. An API process (api/main.ts, a child of its own) is SIGKILLed during ingest and started
// again. Every request it answered 202 is delivered exactly once. A request the kill cut off
// may have left its row behind, with or without a run: half the clients retry it with their
// idempotency key (the replay starts a missing run), the other half give up, and the runless
// sweeper (domain/notifications/runless.ts) starts what they left. At the end every row has a
// run and a final status (no ghost rows), and no recipient has more than one mail.
import { freePort } from '../../common/free-port.js';
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { countsOf, emailOf, seedTemplate, seedUsers, tally, userId, waitAllFinal, type ScenarioResult } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { crashProblems, inFlightAt, inFlightRows } from '../lib/crash.js';
import { createDatabase } from '../lib/database.js';
import { CHAOS_ADMIN_KEY, startHerald } from '../lib/herald.js';
import { sleep, startNodeProcess, until, type ChildProc } from '../lib/processes.js';
import { countValues } from './worker-kill.js';

export interface ApiKillParams {
  /** Single sends, one per user. */
  n: number;
  concurrency: number;
  killAtFraction: number;
  downMs: number;
  timeoutMs: number;
}

/** Clients that retry a request the kill cut off; the others give up on it. */
const retries = (i: number) => i % 2 === 0;

export async function apiKill(ctx: ScenarioContext, p: ApiKillParams): Promise<ScenarioResult> {
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: p.n * 2 + 100 });
  const database = await createDatabase();
  // The sweeper looks every second at rows older than 3 s, so what the kill leaves is found within the run.
  const h = await startHerald({
    temporalAddress: ctx.temporalAddress,
    databaseUrl: database.url,
    smtp,
    bundlePath: ctx.bundlePath,
    workers: 'inproc',
    env: { HERALD_WORKER_SLOTS: '12', HERALD_DELIVERY_TIMEOUT_MS: '5000', HERALD_RETRY_INITIAL_MS: '200', HERALD_RETRY_MAX_INTERVAL_MS: '2000', HERALD_RUNLESS_SWEEP_INTERVAL_SECONDS: '1', HERALD_RUNLESS_SWEEP_AGE_SECONDS: '3' },
  });
  const port = await freePort();
  const env = { ...h.env, HERALD_PORT: String(port), HERALD_OPS_PORT: String(await freePort()), HERALD_OPS_HOST: '127.0.0.1', HERALD_DRAIN_DELAY_MS: '0' };
  const url = `http://127.0.0.1:${port}`;
  let api: ChildProc | undefined;
  let apiUp = false;
  const startApi = async () => {
    const proc = startNodeProcess('api/main.ts', env);
    api = proc;
    await until('API process ready', async () => {
      if (proc.child.exitCode !== null) throw new Error(`API exited ${proc.child.exitCode}: ${proc.log.slice(-20).join('\n')}`);
      return (await fetch(`${url}/readyz`)).ok ? true : undefined;
    }, 120_000, 100);
    apiUp = true;
  };

  const accepted = new Map<number, string>();
  const cutOff = new Set<number>();
  const statuses: Record<string, number> = {};
  const refusals: string[] = [];
  let firstAcceptAfterRestart: number | null = null;
  let restartedAt = 0;
  const send = async (i: number): Promise<void> => {
    const body = { template: 'campaign', to: { userIds: [userId(i)] }, data: { n: String(i) }, idempotencyKey: `api-kill-${i}` };
    for (;;) {
      await until('API up', () => (apiUp ? true : undefined), p.timeoutMs, 50);
      let status: string;
      let inFlight409 = false;
      try {
        const res = await fetch(`${url}/v1/notifications`, { method: 'POST', headers: { authorization: `Bearer ${CHAOS_ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
        status = String(res.status);
        const answer = (await res.json()) as { id?: string; error?: { code?: string; message?: string } };
        inFlight409 = res.status === 409 && answer.error?.code === 'idempotency_key_in_flight';
        if (res.status !== 202 && refusals.length < 5) refusals.push(`${userId(i)}: ${res.status} ${answer.error?.code ?? ''} ${answer.error?.message ?? ''}`);
        if (res.status === 202 && answer.id) {
          accepted.set(i, answer.id);
          if (restartedAt && firstAcceptAfterRestart === null) firstAcceptAfterRestart = Date.now() - restartedAt;
        }
      } catch {
        status = 'cut off';
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (accepted.has(i)) return;
      if (!retries(i) || !(status === 'cut off' || inFlight409 || status.startsWith('5'))) {
        cutOff.add(i);
        return;
      }
      await sleep(inFlight409 ? 1000 : 200); // the 409 says Retry-After: 1
    }
  };

  try {
    await seedUsers(h, p.n);
    await seedTemplate(h);
    await startApi();
    let next = 0;
    const ingest = Promise.all(Array.from({ length: p.concurrency }, async () => {
      for (let i = next++; i < p.n; i = next++) await send(i);
    }));
    await until('mails before the kill', () => (accepted.size >= p.n * p.killAtFraction && smtp.mails().length > 0 ? true : undefined), p.timeoutMs, 10);
    const before = await inFlightRows(h.db);
    const atFault = smtp.mails().length;
    const acceptedAtKill = accepted.size;
    apiUp = false;
    await api?.kill();
    const inFlight = inFlightAt(before, await inFlightRows(h.db));
    ctx.log(`api-kill: SIGKILL after ${acceptedAtKill} accepted, ${atFault} mails`);
    await sleep(p.downMs);
    restartedAt = Date.now();
    await startApi();
    await ingest;

    // Every row the API wrote, answered or not, must get a run and end.
    const rows = await h.db.selectFrom('notifications').select(['id', 'workflow_run_id', 'audience']).execute();
    const final = await waitAllFinal(h, rows.map((r) => r.id), p.timeoutMs);
    await sleep(1000); // a duplicate would arrive late
    const runs = await h.db.selectFrom('notifications').select(['id', 'workflow_run_id']).execute();
    const ghosts = runs.filter((r) => r.workflow_run_id === null).length;
    const usersWithRow = rows.map((r) => Number((r.audience.userIds?.[0] ?? '').slice(1)));
    const unansweredRows = usersWithRow.filter((i) => !accepted.has(i)).length;
    const t = await tally(h, smtp, rows.map((r) => r.id), usersWithRow);
    const withRow = new Set(usersWithRow);
    const expectedAddresses = new Set(usersWithRow.map(emailOf));
    const phantom = smtp.mails().filter((m) => !expectedAddresses.has(m.envelopeTo[0] ?? '')).length;
    const notDelivered = [...accepted.keys()].filter((i) => !withRow.has(i)).length;
    const problems = [
      ...crashProblems({ n: p.n, atFault, inFlight, tally: t }),
      ...(t.duplicated > 0 ? [`${t.duplicated} duplicated: a 202 must mean exactly once`] : []),
      ...(ghosts > 0 ? [`${ghosts} rows without a run`] : []),
      ...(notDelivered > 0 ? [`${notDelivered} accepted requests without a row`] : []),
      ...(phantom > 0 ? [`${phantom} mails to users whose request left no row`] : []),
    ];
    const statusesOfRows = [...final.values()];
    return {
      scenario: 'API SIGKILL during ingest',
      ...countsOf(t),
      inFlightBound: inFlight,
      recoveryMs: firstAcceptAfterRestart,
      ok: problems.length === 0 && statusesOfRows.every((s) => s === 'completed'),
      notes: [
        `killed after ${acceptedAtKill}/${p.n} accepted and ${atFault} mails`,
        `${accepted.size} answered 202, ${cutOff.size} given up; ${unansweredRows} rows without a 202 were run by a replay or the sweeper`,
        'recovery = restart to the first 202 of the new process',
        ...problems,
      ],
      details: { ...t, atFault, inFlight, acceptedAtKill, accepted: accepted.size, givenUp: cutOff.size, unansweredRows, ghosts, phantom, problems, requestStatuses: statuses, refusals, statuses: countValues(statusesOfRows) },
    };
  } finally {
    await api?.stop(5000);
    await h.stop();
    await smtp.close();
    await database.drop();
  }
}
