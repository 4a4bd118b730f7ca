// 6. A slow provider: the SMTP server holds its reply to DATA for the campaign's recipients
// longer than Herald's SMTP timeout (SMTP_SOCKET_TIMEOUT_MS) while a low-priority bulk
// campaign runs, so attempts really time out and are retried. The server keeps a message
// whose sender hung up (as one that queued it before replying would), so each timed-out
// attempt may be one duplicate, with the same Message-ID: those attempts, counted at the
// server, bound the duplicates. Nothing is lost, and high-priority sends (their own task
// queue, worker slots and SMTP connections, an address the slowness does not touch) keep
// their latency.
import { startCaptureSmtp } from '../../local/capture-smtp.js';
import { countsOf, range, seedTemplate, seedUsers, sendSingles, startBulk, tally, userId, waitAllFinal, type ScenarioResult } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { createDatabase } from '../lib/database.js';
import { startHerald } from '../lib/herald.js';
import { sleep, until } from '../lib/processes.js';
import { countValues } from './worker-kill.js';

export interface SlowProviderParams {
  /** Bulk (low priority) recipients; their mail is slow while `slowForMs` lasts. */
  n: number;
  /** High-priority single sends made while the provider is slow. */
  high: number;
  delayMs: number;
  /** Herald's SMTP timeout, shorter than delayMs. */
  socketTimeoutMs: number;
  slowForMs: number;
  timeoutMs: number;
  /** p95 latency the high-priority sends must meet, ms. */
  highLatencyBudgetMs: number;
}

export async function slowProvider(ctx: ScenarioContext, p: SlowProviderParams): Promise<ScenarioResult> {
  let slowUntil = 0;
  const bulkAddress = (to: string) => Number(/^u(\d+)@/.exec(to)?.[1] ?? -1) < p.n;
  const smtp = await startCaptureSmtp({ envelopeOnly: true, keep: (p.n + p.high) * 3 + 100, delayMs: (to) => (Date.now() < slowUntil && bulkAddress(to) ? p.delayMs : 0) });
  const database = await createDatabase();
  const h = await startHerald({
    temporalAddress: ctx.temporalAddress,
    databaseUrl: database.url,
    smtp,
    bundlePath: ctx.bundlePath,
    workers: 'inproc',
    env: { SMTP_SOCKET_TIMEOUT_MS: String(p.socketTimeoutMs), HERALD_BULK_BATCH_SIZE: '50', HERALD_BULK_CONCURRENCY: '10', HERALD_WORKER_SLOTS: '30', HERALD_DELIVERY_TIMEOUT_MS: '5000', HERALD_RETRY_INITIAL_MS: '500', HERALD_RETRY_MAX_INTERVAL_MS: '5000', HERALD_RETRY_MAX_ATTEMPTS: '10' },
  });
  try {
    await seedUsers(h, p.n);
    await seedUsers(h, p.high, 'vip', p.n);
    await seedTemplate(h);
    slowUntil = Date.now() + p.slowForMs;
    const slowStart = Date.now();
    const bulkId = await startBulk(h, { priority: 'low' });
    await until('bulk sending', async () => ((await h.db.selectFrom('deliveries').select('id').where('notification_id', '=', bulkId).where('status', '=', 'sending').executeTakeFirst()) ? true : undefined), p.timeoutMs, 50);
    // High-priority sends one after another while the provider is slow for the campaign.
    const latencies: number[] = [];
    const highIds: string[] = [];
    for (const i of range(p.high, p.n)) {
      const t0 = Date.now();
      const log = await sendSingles(h, [i], { priority: 'high', concurrency: 1 });
      highIds.push(...log.accepted);
      await until('high-priority mail', () => (smtp.mails().some((m) => m.envelopeTo[0] === `u${i}@example.com`) ? true : undefined), p.timeoutMs, 20);
      latencies.push(Date.now() - t0);
      if (Date.now() > slowUntil) break;
      await sleep(Math.max(50, Math.floor(p.slowForMs / p.high / 2)));
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
    const final = await waitAllFinal(h, [bulkId, ...highIds], p.timeoutMs + p.slowForMs);
    await sleep(1000);
    const expected = [...range(p.n), ...highIds.map((_, k) => p.n + k)];
    const t = await tally(h, smtp, [bulkId, ...highIds], expected);
    const statuses = [...final.values()];
    const attempts = await h.db.selectFrom('deliveries').select(['attempts']).where('notification_id', '=', bulkId).execute();
    const retried = attempts.filter((a) => a.attempts > 1).length;
    const timedOut = smtp.abandoned();
    const problems = [
      ...(retried === 0 || timedOut === 0 ? [`no attempt timed out (${retried} rows retried, ${timedOut} replies abandoned)`] : []),
      ...(t.lost > 0 ? [`${t.lost} lost`] : []),
      ...(t.duplicated > timedOut ? [`${t.duplicated} duplicated, more than the ${timedOut} attempts that timed out`] : []),
      ...(t.messageIdDuplicates !== t.recipientDuplicates ? [`${t.recipientDuplicates} extra copies but ${t.messageIdDuplicates} repeated Message-IDs`] : []),
    ];
    return {
      scenario: `slow provider (${p.delayMs / 1000} s replies, ${p.socketTimeoutMs / 1000} s timeout)`,
      ...countsOf(t),
      inFlightBound: timedOut,
      recoveryMs: Math.max(0, Date.now() - slowStart - p.slowForMs),
      ok: problems.length === 0 && statuses.every((s) => s === 'completed') && p95 <= p.highLatencyBudgetMs,
      notes: [`high-priority p95 ${p95} ms (max ${sorted.at(-1) ?? 0} ms) over ${latencies.length} sends`, `${retried} campaign rows needed more than one attempt, ${timedOut} attempts timed out`, 'recovery = campaign end after the slowness ended', ...problems],
      details: { ...t, statuses: countValues(statuses), highLatencies: latencies, highP95Ms: p95, retriedRows: retried, timedOut, problems, firstHigh: userId(p.n) },
    };
  } finally {
    await h.stop();
    await smtp.close();
    await database.drop();
  }
}
