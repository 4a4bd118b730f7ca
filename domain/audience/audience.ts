// Audience resolution and planning, one page at a time: a page of users in id order (the
// keyset cursor is the last id), the policy decision for each user × channel, and the
// ledger rows that record it. Nothing here holds more than one page, so a bulk campaign's
// orchestration can page through millions of recipients with the same functions.
import { newId } from '../../common/ids.js';
import type { Channel } from '../../channels/types.js';
import type { DbOrTx } from '../../schema/database.js';
import { audienceIdsPage, audienceUsersPage, type AudienceSelectors } from '../../schema/queries/audience.js';
import { addressesTaken } from '../../schema/queries/delivery-plans.js';
import { takeFrequencySlots, wouldBeCapped, type CapCheck } from '../../schema/queries/preferences.js';
import type { NewDelivery } from '../../schema/tables/deliveries.js';
import type { UserRow } from '../../schema/tables/users.js';
import { capsFor, decideUser, loadPolicyData, type ChannelDecision, type PolicyContext } from './policy.js';

export const DEFAULT_PAGE_SIZE = 500;

export interface AudiencePage {
  userIds: string[];
  /** Pass back to get the next page; null when this was the last. */
  nextCursor: string | null;
}

/** One page of an audience's user ids, de-duplicated across selectors, in id order. */
export async function resolveAudiencePage(db: DbOrTx, tenantId: string, audience: AudienceSelectors, cursor: string | null, pageSize = DEFAULT_PAGE_SIZE): Promise<AudiencePage> {
  // One extra row tells whether another page exists without a second query.
  const ids = await audienceIdsPage(db, tenantId, audience, cursor, pageSize + 1);
  const userIds = ids.slice(0, pageSize);
  return { userIds, nextCursor: ids.length > pageSize ? (userIds.at(-1) ?? null) : null };
}

/** The same page as full user rows, for planning. */
export async function resolveAudienceUsersPage(db: DbOrTx, tenantId: string, audience: AudienceSelectors, cursor: string | null, pageSize = DEFAULT_PAGE_SIZE): Promise<{ users: UserRow[]; nextCursor: string | null }> {
  const rows = await audienceUsersPage(db, tenantId, audience, cursor, pageSize + 1);
  const users = rows.slice(0, pageSize);
  return { users, nextCursor: rows.length > pageSize ? (users.at(-1)?.id ?? null) : null };
}

export interface PlannedUser {
  userId: string;
  decisions: ChannelDecision[];
}

const ADDRESSED: readonly Channel[] = ['email', 'sms', 'webhook'];

/**
 * The decisions for one page: the pure policy per user × channel, then what needs the
 * ledger — one address targeted twice in the notification (`duplicate`) and frequency caps
 * (`frequency_capped`). With `commit` the cap slots are taken (prepare, inside its
 * transaction); without, they are only counted (dry run).
 */
export async function planPage(
  db: DbOrTx,
  tenantId: string,
  notificationId: string | null,
  ctx: PolicyContext,
  users: readonly UserRow[],
  commit: boolean,
): Promise<PlannedUser[]> {
  const ids = users.map((u) => u.id);
  const data = await loadPolicyData(db, tenantId, users, ctx.category.category);
  const planned = users.map((u) => ({ userId: u.id, decisions: decideUser(ctx, u, data.get(u.id)) }));

  for (const channel of ADDRESSED) {
    if (!ctx.channels.includes(channel)) continue;
    const live = planned.flatMap((p) => p.decisions.filter((d) => d.channel === channel && d.status === 'pending' && d.address).map((d) => ({ p, d })));
    // Emails are case-insensitive in practice; users are stored lower-cased, compare the same way.
    const key = (a: string) => (channel === 'email' ? a.toLowerCase() : a);
    const taken = notificationId ? await addressesTaken(db, notificationId, channel, ids, [...new Set(live.map(({ d }) => d.address ?? ''))]) : new Set<string>();
    const seen = new Set([...taken].map(key));
    for (const { p, d } of live) {
      const k = key(d.address ?? '');
      if (seen.has(k)) p.decisions[p.decisions.indexOf(d)] = { channel, status: 'suppressed', address: d.address, reason: 'duplicate' };
      else seen.add(k);
    }
  }

  const checks: CapCheck[] = planned
    .filter((p) => p.decisions.some((d) => d.status === 'pending'))
    .map((p) => ({ userId: p.userId, caps: capsFor(ctx, data.get(p.userId)) }))
    .filter((c) => c.caps.length > 0);
  if (checks.length > 0) {
    const capped =
      commit && notificationId
        ? await takeFrequencySlots(db, tenantId, notificationId, ctx.category.category, checks, ctx.now)
        : await wouldBeCapped(db, tenantId, checks, ctx.now);
    for (const p of planned) {
      if (!capped.has(p.userId)) continue;
      p.decisions = p.decisions.map((d) => (d.status === 'pending' ? { channel: d.channel, status: 'suppressed', address: d.address, reason: 'frequency_capped' } : d));
    }
  }
  return planned;
}

/** Ledger rows for a planned page. */
export function ledgerRows(tenantId: string, notificationId: string, messageIdDomain: string, planned: readonly PlannedUser[]): NewDelivery[] {
  return planned.flatMap((p) =>
    p.decisions.map((d): NewDelivery => {
      const id = newId('dlv');
      return {
        id,
        tenant_id: tenantId,
        notification_id: notificationId,
        user_id: p.userId,
        channel: d.channel,
        address: d.address,
        status: d.status,
        reason: d.reason,
        deferred_until: d.status === 'pending' ? d.notBefore : null,
        message_id: `<${id}@${messageIdDomain}>`,
      };
    }),
  );
}

export interface AudienceCountResult {
  users: number;
  usersReached: number;
  channels: Record<string, { send: number; deferred: number; suppressed: Record<string, number> }>;
  suppressed: Record<string, number>;
}

/**
 * The dry run: pages through the audience exactly as prepare does and tallies what would
 * happen, without writing anything (caps are counted, not taken). Memory is one page.
 */
export async function countAudience(db: DbOrTx, tenantId: string, audience: AudienceSelectors, ctx: PolicyContext, pageSize = 1000): Promise<AudienceCountResult> {
  const out: AudienceCountResult = { users: 0, usersReached: 0, channels: {}, suppressed: {} };
  for (const c of ctx.channels) out.channels[c] = { send: 0, deferred: 0, suppressed: {} };
  let cursor: string | null = null;
  do {
    const page = await resolveAudienceUsersPage(db, tenantId, audience, cursor, pageSize);
    const planned = await planPage(db, tenantId, null, ctx, page.users, false);
    out.users += page.users.length;
    for (const p of planned) {
      if (p.decisions.some((d) => d.status === 'pending')) out.usersReached += 1;
      for (const d of p.decisions) {
        const ch = out.channels[d.channel] ?? (out.channels[d.channel] = { send: 0, deferred: 0, suppressed: {} });
        if (d.status === 'pending') {
          ch.send += 1;
          if (d.notBefore) ch.deferred += 1;
        } else {
          ch.suppressed[d.reason] = (ch.suppressed[d.reason] ?? 0) + 1;
          out.suppressed[d.reason] = (out.suppressed[d.reason] ?? 0) + 1;
        }
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}
