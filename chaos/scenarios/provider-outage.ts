// 4. Provider outage. (a) The SMTP server answers 421 for a while: retries with backoff,
// everything delivered after. (b) With a second SMTP provider configured (order 1), failover
// delivers during the outage. (c) A permanent 550 for some addresses: those rows end `failed`
// with the server's reason, the rest are delivered.
import { startCaptureSmtp, type CaptureSmtp } from '../../local/capture-smtp.js';
import { firstMailAfter, range, seedTemplate, seedUsers, startBulk, tally, waitAllFinal, type ScenarioResult } from '../lib/campaign.js';
import type { ScenarioContext } from '../lib/context.js';
import { createDatabase } from '../lib/database.js';
import { startHerald, type Herald } from '../lib/herald.js';
import { sleep } from '../lib/processes.js';
import { countValues } from './worker-kill.js';

export interface ProviderOutageParams {
  /** Recipients per phase. */
  n: number;
  outageMs: number;
  timeoutMs: number;
  /** Backoff for retries: must outlast the outage within HERALD_RETRY_MAX_ATTEMPTS rounds. */
  retryInitialMs: number;
  retryMaxIntervalMs: number;
}

const outageReply = { code: 421, message: '4.3.2 Service not available, closing channel (chaos)' };
const permanentReply = { code: 550, message: '5.1.1 User unknown (chaos)' };

async function phase(h: Herald, group: string, from: number, n: number, timeoutMs: number) {
  await seedUsers(h, n, group, from);
  const id = await startBulk(h, { group });
  const final = await waitAllFinal(h, [id], timeoutMs);
  return { id, status: [...final.values()][0] ?? 'unknown' };
}

export async function providerOutage(ctx: ScenarioContext, p: ProviderOutageParams): Promise<ScenarioResult[]> {
  const primary = await startCaptureSmtp({ envelopeOnly: true, keep: p.n * 6 + 100 });
  const backup = await startCaptureSmtp({ envelopeOnly: true, keep: p.n * 6 + 100 });
  const database = await createDatabase();
  const h = await startHerald({
    temporalAddress: ctx.temporalAddress,
    databaseUrl: database.url,
    smtp: primary,
    bundlePath: ctx.bundlePath,
    workers: 'inproc',
    env: {
      HERALD_BULK_BATCH_SIZE: '100',
      HERALD_BULK_CONCURRENCY: '20',
      HERALD_WORKER_SLOTS: '12',
      HERALD_DELIVERY_TIMEOUT_MS: '10000',
      HERALD_RETRY_INITIAL_MS: String(p.retryInitialMs),
      HERALD_RETRY_MAX_INTERVAL_MS: String(p.retryMaxIntervalMs),
      HERALD_RETRY_MAX_ATTEMPTS: '10',
      HERALD_CIRCUIT_OPEN_MS: '1000',
    },
  });
  const results: ScenarioResult[] = [];
  const until = (t: number) => () => (Date.now() < t ? outageReply : undefined);
  try {
    await seedTemplate(h);

    // (a) 421 for the outage, one provider: retried until it is back.
    const aStart = Date.now();
    const aEnd = aStart + p.outageMs;
    primary.setResponder(until(aEnd));
    const a = await phase(h, 'a', 0, p.n, p.timeoutMs + p.outageMs);
    primary.setResponder(undefined);
    await sleep(500);
    const ta = await tally(h, primary, [a.id], range(p.n, 0));
    results.push({
      scenario: `SMTP 421 for ${p.outageMs / 1000} s (retry)`,
      sent: ta.sent,
      delivered: ta.delivered,
      lost: ta.lost,
      duplicated: ta.duplicated,
      inFlightBound: null,
      recoveryMs: firstMailAfter(primary, aEnd),
      ok: ta.lost === 0 && a.status === 'completed',
      notes: [`status ${a.status}`],
      details: { ...ta, status: a.status },
    });

    // (b) The same outage with a second provider behind the first.
    const put = async (id: string, smtp: CaptureSmtp, order: number) => {
      const r = await h.request('PUT', `/v1/providers/${id}`, { channel: 'email', kind: 'smtp', config: { url: smtp.url, from: 'Herald <herald@example.com>' }, order });
      if (r.status >= 300) throw new Error(`provider ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    // The capture servers are on loopback: the tenant allowlists it, as it would a private relay.
    const allow = await h.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] });
    if (allow.status !== 200) throw new Error(`outbound allowlist: ${allow.status}`);
    await put('smtp-primary', primary, 0);
    await put('smtp-backup', backup, 1);
    const bStart = Date.now();
    const bEnd = bStart + p.outageMs;
    primary.setResponder(until(bEnd));
    const b = await phase(h, 'b', p.n, p.n, p.timeoutMs + p.outageMs);
    primary.setResponder(undefined);
    await sleep(500);
    const tb = await tally(h, [primary, backup], [b.id], range(p.n, p.n));
    const viaBackupDuringOutage = backup.mails().filter((m) => Date.parse(m.receivedAt) < bEnd).length;
    results.push({
      scenario: `SMTP 421 for ${p.outageMs / 1000} s + failover`,
      sent: tb.sent,
      delivered: tb.delivered,
      lost: tb.lost,
      duplicated: tb.duplicated,
      inFlightBound: null,
      recoveryMs: firstMailAfter(backup, bStart),
      ok: tb.lost === 0 && b.status === 'completed' && viaBackupDuringOutage > 0,
      notes: [`${viaBackupDuringOutage} delivered by the backup during the outage`],
      details: { ...tb, status: b.status, viaBackupDuringOutage },
    });

    // (c) Permanent refusals for every 10th address; the backup refuses them too (the address is bad, not the server).
    const refuse = (to: string) => {
      const i = Number(/^u(\d+)@/.exec(to)?.[1] ?? -1);
      return i >= 0 && i % 10 === 0 ? permanentReply : undefined;
    };
    primary.setResponder((stage, c) => (stage === 'rcpt' ? refuse(c.to) : undefined));
    backup.setResponder((stage, c) => (stage === 'rcpt' ? refuse(c.to) : undefined));
    const c = await phase(h, 'c', 2 * p.n, p.n, p.timeoutMs);
    await sleep(500);
    const tc = await tally(h, [primary, backup], [c.id], range(p.n, 2 * p.n), (i) => i % 10 === 0);
    results.push({
      scenario: 'SMTP 550 for every 10th address',
      sent: tc.sent,
      delivered: tc.delivered,
      lost: tc.lost,
      duplicated: tc.duplicated,
      inFlightBound: null,
      recoveryMs: 0,
      ok: tc.lost === 0 && tc.failedAsExpected === Math.ceil(p.n / 10) && c.status === 'partially_failed' && tc.failedReasons.every((r) => r.includes('550') || /unknown/i.test(r)),
      notes: [`${tc.failedAsExpected} failed with reason ${JSON.stringify(tc.failedReasons[0] ?? '')}`, 'lost counts a refused row not failed with its reason'],
      details: { ...tc, status: c.status, statuses: countValues([a.status, b.status, c.status]) },
    });
    return results;
  } finally {
    await h.stop();
    await primary.close();
    await backup.close();
    await database.drop();
  }
}
