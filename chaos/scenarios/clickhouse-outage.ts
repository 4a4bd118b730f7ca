// 5. ClickHouse (the analytics store) is killed mid-campaign and started again on its data
// a while later: deliveries do not wait on it, and every delivery event arrives once it is
// back (they wait in the PostgreSQL outbox, the workers' relay ships them on its own
// schedule; nothing is drained by hand).
import { rmSync } from 'node:fs';
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { startClickHouse, type LocalClickHouse } from '../../local/clickhouse.js';
import { range, seedTemplate, seedUsers, sentCount, startBulk, tally, waitAllFinal, type ScenarioResult } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { createDatabase } from '../lib/database.js';
import { startHerald } from '../lib/herald.js';
import { sleep, until } from '../lib/processes.js';

export interface ClickHouseOutageParams {
  n: number;
  downMs: number;
  stopAtFraction: number;
  timeoutMs: number;
}

export async function clickhouseOutage(ctx: ScenarioContext, p: ClickHouseOutageParams): Promise<ScenarioResult> {
  let ch: LocalClickHouse = await startClickHouse();
  const dir = ch.dir;
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: p.n * 2 + 100 });
  const database = await createDatabase();
  const h = await startHerald({
    temporalAddress: ctx.temporalAddress,
    databaseUrl: database.url,
    smtp,
    bundlePath: ctx.bundlePath,
    workers: 'inproc',
    env: { CLICKHOUSE_URL: ch.url, HERALD_BULK_BATCH_SIZE: '50', HERALD_BULK_CONCURRENCY: '10', HERALD_WORKER_SLOTS: '12', HERALD_RETRY_INITIAL_MS: '200', HERALD_RETRY_MAX_INTERVAL_MS: '2000' },
  });
  const started = Date.now();
  const q = `from=${encodeURIComponent(new Date(started - 3_600_000).toISOString())}&to=${encodeURIComponent(new Date(started + 3_600_000).toISOString())}&interval=hour`;
  const sentEvents = async (): Promise<number | undefined> => {
    const r = await h.request('GET', `/v1/analytics/summary?${q}`);
    return r.status === 200 ? Number(r.body.totals?.counts?.sent ?? 0) : undefined;
  };
  try {
    await seedUsers(h, p.n);
    await seedTemplate(h);
    const id = await startBulk(h);
    await until('mails before the stop', () => (smtp.mails().length >= p.n * p.stopAtFraction ? true : undefined), p.timeoutMs, 20);
    await ch.kill();
    const killedAt = Date.now();
    const atKill = smtp.mails().length;
    ctx.log(`clickhouse-outage: killed after ${atKill} mails`);
    await sleep(p.downMs);
    const duringOutage = smtp.mails().length - atKill;
    const summaryWhileDown = await h.request('GET', `/v1/analytics/summary?${q}`);
    ch = await startClickHouse({ dir, httpPort: ch.httpPort, tcpPort: ch.tcpPort });
    const backAt = Date.now();
    const final = await waitAllFinal(h, [id], p.timeoutMs);
    const ledgerSent = await sentCount(h, [id]);
    // The events arrive on the outbox relay's own retry schedule.
    let eventsAt: number | null = null;
    let events = 0;
    try {
      events = await until('events written', async () => {
        const n = await sentEvents();
        return n !== undefined && n >= ledgerSent ? n : undefined;
      }, 120_000, 500);
      eventsAt = Date.now();
    } catch {
      events = (await sentEvents()) ?? 0;
    }
    const t = await tally(h, smtp, [id], range(p.n));
    const status = [...final.values()][0] ?? 'unknown';
    return {
      scenario: `ClickHouse down ${p.downMs / 1000} s`,
      sent: t.sent,
      delivered: t.delivered,
      lost: t.lost,
      duplicated: t.duplicated,
      inFlightBound: null,
      recoveryMs: eventsAt === null ? null : eventsAt - backAt,
      ok: t.lost === 0 && status === 'completed' && events === ledgerSent && duringOutage > 0,
      notes: [`${duringOutage} mails delivered while it was down`, `sent events ${events}/${ledgerSent} (recovery = until all events written)`, `summary while down: ${summaryWhileDown.status}`],
      details: { ...t, status, duringOutage, events, ledgerSent, summaryWhileDown: summaryWhileDown.status, downForMs: backAt - killedAt },
    };
  } finally {
    await h.stop();
    await smtp.close();
    await database.drop();
    await ch.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
