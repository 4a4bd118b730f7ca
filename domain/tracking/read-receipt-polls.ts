// Read receipts asked for: DingTalk does not push a work notice's outcome, it answers
// getsendresult (channels/dingtalk-send-result.ts). Each pass claims the sent work notices that
// are due (schema/queries/read-receipt-polls.ts) and asks about each once: read → `delivered`
// and a `read` event; not read yet → `delivered`, asked again later; failed, not a member or
// held back by DingTalk's limits → `failed` with DingTalk's list as the reason; no answer for
// the member yet → asked again later. Each change goes through the tracker (the ledger row,
// its event and the outbox row in one transaction). The asking is bounded: the delay doubles
// from `firstDelayMs` up to `maxDelayMs`, at most `maxPolls` times, and only for messages sent
// within `windowMs`; a DingTalk error counts as a poll, so an unreachable API ends too.
import { workNoticeState, type WorkNoticeState } from '../../channels/dingtalk-send-result.js';
import type { DingtalkCaller, DingtalkWorkNoticeConfig } from '../../channels/dingtalk-work-notice.js';
import type { Logger } from '../../common/logger.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { Db } from '../../schema/database.js';
import { applyReceipt } from '../../schema/queries/deliveries.js';
import { outboundAllowlist } from '../../schema/queries/identities.js';
import { claimDuePolls, deletePollsBefore, recordPoll, type DuePoll } from '../../schema/queries/read-receipt-polls.js';
import type { Tracker } from './tracker.js';

export const WORK_NOTICE_KIND = 'dingtalk-work-notice';

export interface ReadPollSettings {
  firstDelayMs: number;
  maxDelayMs: number;
  maxPolls: number;
  windowMs: number;
  batchSize: number;
}

export interface ReadPollDeps {
  db: Db;
  secretBox: SecretBox;
  tracker: Pick<Tracker, 'change' | 'engagement'>;
  dingtalk: DingtalkCaller;
  logger: Logger;
  /** Herald's resolvers for the provider's host name (HERALD_DNS_SERVERS). */
  dnsServers?: readonly string[] | undefined;
}

export interface ReadPollResult {
  polled: number;
  read: number;
  delivered: number;
  failed: number;
  errors: number;
}

/** The delay before poll number `polls + 1`: doubling from the first delay, capped. */
export function nextPollDelayMs(s: Pick<ReadPollSettings, 'firstDelayMs' | 'maxDelayMs'>, polls: number): number {
  return Math.min(s.maxDelayMs, s.firstDelayMs * 2 ** Math.min(polls, 30));
}

/** The delivery's ledger row moves from sent (only) to what the answer says, with its events. */
async function apply(deps: ReadPollDeps, p: DuePoll, outcome: { status: 'delivered' } | { status: 'failed'; reason: string; code: string }): Promise<void> {
  await deps.tracker.change<{ id: string } | undefined>((row) => (row ? [row.id] : []), (tx) => applyReceipt(tx, p.tenant_id, p.provider, p.provider_message_id, outcome));
}

async function pollOne(deps: ReadPollDeps, s: ReadPollSettings, p: DuePoll, result: ReadPollResult): Promise<void> {
  let answer: WorkNoticeState;
  try {
    // The same outbound guard as the send: the tenant's allowlist decides which private networks its base URL may reach.
    const config: DingtalkWorkNoticeConfig = { ...(JSON.parse(deps.secretBox.open(p.config_sealed)) as DingtalkWorkNoticeConfig), allowPrivateNetworks: await outboundAllowlist(deps.db, p.tenant_id), dnsServers: deps.dnsServers };
    answer = await workNoticeState(deps.dingtalk, config, p.provider_message_id, p.address ?? '');
  } catch (err) {
    result.errors += 1;
    deps.logger.warn({ deliveryId: p.id, tenantId: p.tenant_id, err: (err as Error).message }, 'DingTalk getsendresult failed; asked again later');
    const finished = p.polls + 1 >= s.maxPolls;
    return recordPoll(deps.db, p.id, finished ? { finished } : { finished, nextAt: new Date(Date.now() + nextPollDelayMs(s, p.polls + 1)) });
  }
  if (answer.state === 'failed') {
    result.failed += 1;
    await apply(deps, p, { status: 'failed', reason: answer.reason, code: answer.code });
    return recordPoll(deps.db, p.id, { finished: true });
  }
  if (answer.state === 'read' || answer.state === 'unread') {
    await apply(deps, p, { status: 'delivered' });
    result.delivered += 1;
  }
  if (answer.state === 'read') {
    result.read += 1;
    await deps.tracker.engagement(p.id, { kind: 'read', source: WORK_NOTICE_KIND });
    return recordPoll(deps.db, p.id, { finished: true });
  }
  await recordPoll(deps.db, p.id, p.polls + 1 >= s.maxPolls ? { finished: true } : { finished: false, nextAt: new Date(Date.now() + nextPollDelayMs(s, p.polls + 1)) });
}

/** One pass: the due work notices, asked about one by one. */
export async function pollWorkNoticeReads(deps: ReadPollDeps, s: ReadPollSettings): Promise<ReadPollResult> {
  const now = new Date();
  const due = await claimDuePolls(deps.db, {
    kind: WORK_NOTICE_KIND,
    now,
    sentAfter: new Date(now.getTime() - s.windowMs),
    firstDelayMs: s.firstDelayMs,
    maxPolls: s.maxPolls,
    leaseMs: Math.max(60_000, s.firstDelayMs),
    limit: s.batchSize,
  });
  const result: ReadPollResult = { polled: due.length, read: 0, delivered: 0, failed: 0, errors: 0 };
  for (const p of due) await pollOne(deps, s, p, result);
  // The schedule of messages past the window is dropped a batch at a time (a day's grace past it).
  await deletePollsBefore(deps.db, new Date(now.getTime() - s.windowMs - 24 * 3_600_000), s.batchSize);
  return result;
}
