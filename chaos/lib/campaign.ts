// What every scenario does around its fault: seed recipients, send a bulk campaign (or many
// single sends through the API), wait for the end, and count — from the ledger and from what
// the SMTP server really received — what was delivered, lost and duplicated.
import { sql } from 'kysely';
import type { CapturedMail, CaptureSmtp } from '../../local/capture-smtp.js';
import { createKeyForTest } from '../../testkit/keys.js';
import type { ApiResponse, Herald } from './herald.js';
import { sleep, until } from './processes.js';

export const FINAL_STATUSES = new Set(['completed', 'partially_failed', 'failed', 'expired', 'cancelled', 'rejected']);
export const userId = (i: number) => `u${String(i).padStart(6, '0')}`;
export const emailOf = (i: number) => `u${i}@example.com`;

export interface ScenarioResult {
  scenario: string;
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Deliveries in flight at the fault (claimed, not yet recorded sent): the most a crash may double; null where nothing crashed. */
  inFlightBound: number | null;
  /** From the fault's end (or start, for failover) to the first delivery that followed. */
  recoveryMs: number | null;
  ok: boolean;
  notes: string[];
  details: Record<string, unknown>;
}

export async function seedUsers(h: Herald, n: number, group = 'everyone', from = 0): Promise<void> {
  for (let start = from; start < from + n; start += 5000) {
    const lines = [];
    for (let i = start; i < Math.min(from + n, start + 5000); i++) lines.push(JSON.stringify({ id: userId(i), name: `U${i}`, email: emailOf(i), groups: [group] }));
    const res = await fetch(`${h.apiUrl}/v1/users/import`, { method: 'POST', headers: { authorization: `Bearer ${h.env.HERALD_BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
    if (res.status >= 300) throw new Error(`import: ${res.status} ${await res.text()}`);
    await res.text();
  }
}

export async function seedTemplate(h: Herald, key = 'campaign'): Promise<void> {
  const put = await h.request('PUT', `/v1/templates/${key}`, { email: { subject: 'Sale {{n}}', text: 'Hello {{name}}, the sale starts now.' } });
  if (put.status >= 300) throw new Error(`template: ${JSON.stringify(put.body)}`);
  const pub = await h.request('POST', `/v1/templates/${key}/publish`);
  if (pub.status !== 201) throw new Error(`publish: ${JSON.stringify(pub.body)}`);
}

/** A bulk campaign to the group, approved by a second key (maker-checker). */
export async function startBulk(h: Herald, o: { group?: string; template?: string; priority?: 'low' | 'medium' | 'high' } = {}): Promise<string> {
  const approver = await createKeyForTest(h.db, 'default', ['approve']);
  const created = await h.request('POST', '/v1/notifications', { template: o.template ?? 'campaign', to: { groups: [o.group ?? 'everyone'] }, data: { n: '1' }, priority: o.priority ?? 'medium' });
  if (created.body?.status !== 'pending_approval') throw new Error(`bulk create: ${created.status} ${JSON.stringify(created.body)}`);
  const approved = await h.request('POST', `/v1/notifications/${created.body.id}/approve`, {}, { key: approver });
  if (approved.status >= 300) throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`);
  return created.body.id as string;
}

export interface SendLog {
  /** HTTP status → count, over every attempt (a 503 answered while a dependency is down counts here). */
  statuses: Record<string, number>;
  accepted: string[];
  /** Requests that never got a 2xx within their retry budget. */
  unaccepted: number;
}

/**
 * What a well-behaved client retries: 503 and 429, and the 409 `idempotency_key_in_flight` that
 * answers a retry while the first request with its key still holds it (after a crash, until the
 * key's lock expires).
 */
export function retryable(r: ApiResponse): boolean {
  return r.status === 503 || r.status === 429 || (r.status === 409 && r.body?.error?.code === 'idempotency_key_in_flight');
}

/**
 * One single send per user, `concurrency` at a time, each retried with the same
 * idempotencyKey while the API answers what `retryable` says (what a well-behaved client does).
 */
export async function sendSingles(h: Herald, users: number[], o: { concurrency?: number; priority?: string; template?: string; retryForMs?: number; log?: SendLog; paceMs?: number } = {}): Promise<SendLog> {
  const log: SendLog = o.log ?? { statuses: {}, accepted: [], unaccepted: 0 };
  let next = 0;
  const one = async (i: number) => {
    const deadline = Date.now() + (o.retryForMs ?? 120_000);
    const body = { template: o.template ?? 'campaign', to: { userIds: [userId(i)] }, data: { n: String(i) }, priority: o.priority ?? 'medium', idempotencyKey: `single-${o.priority ?? 'medium'}-${i}` };
    for (;;) {
      let r: ApiResponse | undefined;
      try {
        r = await h.request('POST', '/v1/notifications', body);
      } catch {
        r = undefined;
      }
      const k = r ? String(r.status) : 'network';
      log.statuses[k] = (log.statuses[k] ?? 0) + 1;
      if (r && r.status >= 200 && r.status < 300) {
        log.accepted.push(r.body.id as string);
        return;
      }
      if (Date.now() > deadline || (r && !retryable(r))) {
        log.unaccepted += 1;
        return;
      }
      await sleep(Math.min(1000, Number(r?.headers.get('retry-after') ?? 1) * 200));
    }
  };
  await Promise.all(
    Array.from({ length: o.concurrency ?? 8 }, async () => {
      for (let i = next++; i < users.length; i = next++) {
        await one(users[i] as number);
        if (o.paceMs) await sleep(o.paceMs);
      }
    }),
  );
  return log;
}

export async function notificationStatus(h: Herald, id: string): Promise<string | undefined> {
  const r = await h.request('GET', `/v1/notifications/${id}`);
  return r.status === 200 ? (r.body.status as string) : undefined;
}

/** Waits for every notification to reach a final status (checked through the ledger's notification rows). */
export async function waitAllFinal(h: Herald, ids: string[], timeoutMs: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await until('notifications final', async () => {
    const pending = ids.filter((id) => !out.has(id));
    for (let i = 0; i < pending.length; i += 500) {
      const rows = await h.db.selectFrom('notifications').select(['id', 'status']).where('id', 'in', pending.slice(i, i + 500)).execute();
      for (const r of rows) if (FINAL_STATUSES.has(r.status)) out.set(r.id, r.status);
    }
    return out.size === ids.length ? true : undefined;
  }, timeoutMs, 500);
  return out;
}

/** Ledger rows sent so far for these notifications (bulk progress, cheaply). */
export async function sentCount(h: Herald, ids: string[]): Promise<number> {
  const r = await h.db.selectFrom('deliveries').select(sql<string>`count(*)`.as('n')).where('notification_id', 'in', ids).where('status', '=', 'sent').executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface Tally {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Recipients that ended failed as intended (permanent refusals), with their reasons. */
  failedAsExpected: number;
  failedReasons: string[];
  ledger: Record<string, number>;
  messageIdDuplicates: number;
  recipientDuplicates: number;
  lostSample: string[];
}

/**
 * Counts, for the expected recipients: delivered = one ledger row `sent` and the mail at the
 * SMTP server; lost = neither delivered nor failed as expected; duplicated = mails beyond the
 * first per recipient (Message-IDs seen twice are reported as well).
 */
export async function tally(h: Herald, smtp: CaptureSmtp | CaptureSmtp[], ids: string[], expected: number[], expectFail: (i: number) => boolean = () => false): Promise<Tally> {
  const rows: Array<{ user_id: string; status: string; reason: string | null }> = [];
  for (let i = 0; i < ids.length; i += 500) {
    rows.push(...(await h.db.selectFrom('deliveries').select(['user_id', 'status', 'reason']).where('notification_id', 'in', ids.slice(i, i + 500)).where('channel', '=', 'email').execute()));
  }
  const ledger: Record<string, number> = {};
  const byUser = new Map<string, Array<{ status: string; reason: string | null }>>();
  for (const r of rows) {
    ledger[r.status] = (ledger[r.status] ?? 0) + 1;
    const l = byUser.get(r.user_id) ?? [];
    l.push(r);
    byUser.set(r.user_id, l);
  }
  const mails: CapturedMail[] = (Array.isArray(smtp) ? smtp : [smtp]).flatMap((s) => s.mails());
  const perRcpt = new Map<string, number>();
  const perMsgId = new Map<string, number>();
  for (const m of mails) {
    const to = m.envelopeTo[0] ?? '?';
    perRcpt.set(to, (perRcpt.get(to) ?? 0) + 1);
    if (m.messageId) perMsgId.set(m.messageId, (perMsgId.get(m.messageId) ?? 0) + 1);
  }
  let delivered = 0;
  let lost = 0;
  let failedAsExpected = 0;
  const failedReasons = new Set<string>();
  const lostSample: string[] = [];
  for (const i of expected) {
    const l = byUser.get(userId(i)) ?? [];
    const atSmtp = perRcpt.get(emailOf(i)) ?? 0;
    if (expectFail(i)) {
      if (l.length === 1 && l[0]?.status === 'failed' && l[0].reason) {
        failedAsExpected += 1;
        failedReasons.add(l[0].reason);
      } else {
        lost += 1;
        if (lostSample.length < 5) lostSample.push(`${userId(i)}: expected failed, ledger ${JSON.stringify(l)}`);
      }
      continue;
    }
    if (l.length === 1 && l[0]?.status === 'sent' && atSmtp >= 1) delivered += 1;
    else {
      lost += 1;
      if (lostSample.length < 5) lostSample.push(`${userId(i)}: ledger ${JSON.stringify(l)}, mails ${atSmtp}`);
    }
  }
  const recipientDuplicates = [...perRcpt.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const messageIdDuplicates = [...perMsgId.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  return {
    sent: expected.length,
    delivered,
    lost,
    duplicated: recipientDuplicates,
    failedAsExpected,
    failedReasons: [...failedReasons].slice(0, 5),
    ledger,
    messageIdDuplicates,
    recipientDuplicates,
    lostSample,
  };
}

/** A result's counts, from its tally. */
export const countsOf = (t: Tally) => ({ sent: t.sent, delivered: t.delivered, lost: t.lost, duplicated: t.duplicated });

/** Milliseconds from `t` to the first mail received after it, or null if none. */
export function firstMailAfter(smtp: CaptureSmtp | CaptureSmtp[], t: number): number | null {
  let best: number | null = null;
  for (const m of (Array.isArray(smtp) ? smtp : [smtp]).flatMap((s) => s.mails())) {
    const at = Date.parse(m.receivedAt);
    if (at >= t && (best === null || at < best)) best = at;
  }
  return best === null ? null : best - t;
}

export const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
