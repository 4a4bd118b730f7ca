// The policy engine: for one page of recipients of one notification, what happens on each
// channel and why. The order of the checks is the order of the reasons a client reads:
// nothing to send → nowhere to send it → the user said no → too many lately → not now.
// Pure decisions (`decideUser`) are separated from loading (`loadPolicyPage`) so the dry-run
// count and prepare make the same decision from the same data.
import type { Channel } from '../../channels/types.js';
import type { DbOrTx } from '../../schema/database.js';
import { suppressedEmailAddresses } from '../../schema/queries/bounces.js';
import { findCategorySettings, policiesOf, preferencesOf, unsubscribesOf } from '../../schema/queries/preferences.js';
import { listProviders } from '../../schema/queries/providers.js';
import type { CategorySettingsRow } from '../../schema/tables/category-settings.js';
import type { FrequencyCap, QuietHours } from '../../schema/tables/user-policies.js';
import type { UserRow } from '../../schema/tables/users.js';
import { GROUP_ROBOT_KINDS } from './chat-groups.js';
import { quietHoursEnd } from './quiet-hours.js';
import { hasAnyTarget, targetsFor, type Identities, type TargetUser } from './targets.js';

/** The category of a notification sent without one: unsubscribing from it is possible too. */
export const DEFAULT_CATEGORY = 'general';

export const SUPPRESSION_REASONS = [
  'unknown_user',
  'no_template_content',
  'no_identity',
  'invalid_identity',
  'unsubscribed',
  'preference_off',
  'duplicate',
  'frequency_capped',
  // Deactivated by the directory (SCIM active=false, gone from LDAP): nothing reaches them, on any channel.
  'user_inactive',
  // The email address hard-bounced before (a DSN 5.x.x): mailing it again only hurts the sender's reputation.
  'bounced',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export const QUIET_HOURS_REASON_PREFIX = 'quiet_hours_deferred_until:';

export interface CategoryPolicy {
  category: string;
  channelDefaults: Record<string, boolean>;
  mandatory: boolean;
  bypassQuietHours: boolean;
  cap: { max: number; windowSeconds: number } | null;
}

/**
 * Built in so a fresh tenant is safe: security notices (password resets, sign-in alerts)
 * cannot be opted out of and are not held back by quiet hours. A tenant row overrides it.
 */
const BUILT_IN: Record<string, Omit<CategoryPolicy, 'category'>> = {
  security: { channelDefaults: {}, mandatory: true, bypassQuietHours: true, cap: null },
};

export function categoryPolicy(category: string, row: CategorySettingsRow | undefined): CategoryPolicy {
  if (row) {
    return {
      category,
      channelDefaults: row.channel_defaults,
      mandatory: row.mandatory,
      bypassQuietHours: row.bypass_quiet_hours,
      cap: row.cap_max !== null && row.cap_window_seconds !== null ? { max: row.cap_max, windowSeconds: row.cap_window_seconds } : null,
    };
  }
  return { category, ...(BUILT_IN[category] ?? { channelDefaults: {}, mandatory: false, bypassQuietHours: false, cap: null }) };
}

export interface UserPolicyData {
  /** channel (or `*`) → enabled, for this notification's category. */
  prefs: Map<string, boolean>;
  unsubscribed: boolean;
  /** The user's email address is on the tenant's suppression list (it hard-bounced). */
  emailBounced?: boolean | undefined;
  quietHours: QuietHours | null;
  caps: FrequencyCap[];
}

export interface PolicyPage {
  users: UserRow[];
  data: Map<string, UserPolicyData>;
}

export interface PolicyContext {
  now: Date;
  priority: string;
  category: CategoryPolicy;
  tenantTimezone: string;
  /** Channels the notification is sent on, in order. */
  channels: readonly Channel[];
  /** Channels the template version has content for. */
  templateChannels: ReadonlySet<Channel>;
  /** Enabled provider kinds per channel (chat and push targets depend on the kind); group robots are not among them. */
  providerKinds: ReadonlyMap<Channel, readonly string[]>;
  /** Enabled group-robot kinds: they post once per notification (chat-groups.ts), not per user. */
  groupChatKinds?: readonly string[] | undefined;
}

export type ChannelDecision =
  | { channel: Channel; status: 'pending'; address: string | null; reason: null; notBefore: null }
  | { channel: Channel; status: 'pending'; address: string | null; reason: string; notBefore: Date }
  | { channel: Channel; status: 'suppressed'; address: string | null; reason: SuppressionReason };

/** The address forms a delivery can go to: stored identities and inline recipients are held to them. */
export const E164 = /^\+[1-9]\d{6,14}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isHttpUrl(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function isSubscription(s: unknown): boolean {
  const sub = s as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } } | null;
  return !!sub && isHttpUrl(sub.endpoint) && typeof sub.keys?.p256dh === 'string' && typeof sub.keys.auth === 'string';
}

const CHAT_KEYS = ['dingtalk', 'wecom', 'feishu', 'slack', 'telegram', 'discord'] as const;

/**
 * Identities are validated when written, but rows written before a rule existed, or by a
 * direct database load, may hold values no provider accepts: sending to them would only
 * produce a provider error, so they are suppressed with their own reason.
 */
function identityProblem(channel: Channel, user: UserRow, kinds: readonly string[]): 'no_identity' | 'invalid_identity' | null {
  const ids = (user.identities ?? {}) as Identities & Record<string, unknown>;
  const target: TargetUser = { email: user.email, phone: user.phone, identities: ids };
  switch (channel) {
    case 'email':
      return !user.email ? 'no_identity' : EMAIL.test(user.email) ? null : 'invalid_identity';
    case 'sms':
      return !user.phone ? 'no_identity' : E164.test(user.phone) ? null : 'invalid_identity';
    case 'webhook':
      return !ids.webhook ? 'no_identity' : isHttpUrl(ids.webhook) ? null : 'invalid_identity';
    case 'inapp':
      return null;
    case 'chat': {
      if (kinds.length > 0) return hasAnyTarget('chat', kinds, target) ? null : 'no_identity';
      // No chat provider configured yet: judge by the identities alone; delivery reports the missing provider.
      const present = CHAT_KEYS.filter((k) => ids[k] !== undefined);
      if (present.length === 0) return 'no_identity';
      return present.some((k) => typeof ids[k] === 'string' && (ids[k] as string).length > 0) ? null : 'invalid_identity';
    }
    case 'push': {
      const lists = [ids.webpush, ids.fcm, ids.apns, ids.jpush, ids.huawei, ids.xiaomi, ids.wechat === undefined ? undefined : [ids.wechat]].filter((l) => Array.isArray(l) && l.length > 0) as unknown[][];
      if (lists.length === 0) return 'no_identity';
      const valid = (ids.webpush ?? []).some(isSubscription) || [...(ids.fcm ?? []), ...(ids.apns ?? []), ...(ids.jpush ?? []), ...(ids.huawei ?? []), ...(ids.xiaomi ?? []), ids.wechat].some((t) => typeof t === 'string' && t.length > 0);
      if (!valid) return 'invalid_identity';
      return kinds.length === 0 || hasAnyTarget('push', kinds, target) ? null : 'no_identity';
    }
  }
}

/** Where the row says the message goes; push and chat keep it short (never a push secret). */
export function addressOf(channel: Channel, user: UserRow, kinds: readonly string[]): string | null {
  const target: TargetUser = { email: user.email, phone: user.phone, identities: (user.identities ?? {}) as Identities };
  switch (channel) {
    case 'email':
      return user.email;
    case 'sms':
      return user.phone;
    case 'webhook':
    case 'chat': {
      for (const kind of channel === 'chat' ? kinds : ['']) {
        const t = targetsFor(channel, kind, target)[0];
        if (typeof t === 'string') return t;
      }
      return null;
    }
    case 'push':
    case 'inapp':
      return null;
  }
}

function preferenceOn(ctx: PolicyContext, data: UserPolicyData | undefined, channel: Channel): boolean {
  const own = data?.prefs.get(channel) ?? data?.prefs.get('*');
  if (own !== undefined) return own;
  return ctx.category.channelDefaults[channel] ?? ctx.category.channelDefaults['*'] ?? true;
}

/** The caps that count this notification for this user: the category's and the user's own. */
export function capsFor(ctx: PolicyContext, data: UserPolicyData | undefined): FrequencyCap[] {
  if (ctx.category.mandatory) return [];
  const caps: FrequencyCap[] = [];
  if (ctx.category.cap) caps.push({ category: ctx.category.category, ...ctx.category.cap });
  for (const c of data?.caps ?? []) if (c.category === '*' || c.category === ctx.category.category) caps.push(c);
  return caps;
}

/** A tenant whose only chat providers are group robots reaches no user on chat one by one: the group post does (chat-groups.ts). */
function userChannels(ctx: PolicyContext): readonly Channel[] {
  const groupsOnly = (ctx.providerKinds.get('chat') ?? []).length === 0 && (ctx.groupChatKinds ?? []).length > 0;
  return groupsOnly ? ctx.channels.filter((c) => c !== 'chat') : ctx.channels;
}

/**
 * Per channel, before frequency caps and duplicates (which need the database): suppressed
 * with a reason, deferred by quiet hours, or pending.
 */
export function decideUser(ctx: PolicyContext, user: UserRow, data: UserPolicyData | undefined): ChannelDecision[] {
  const tz = data?.quietHours?.timezone ?? user.timezone ?? ctx.tenantTimezone;
  const bypassQuiet = ctx.priority === 'high' || ctx.category.bypassQuietHours;
  let quietUntil: Date | null = null;
  if (!bypassQuiet && data?.quietHours) {
    try {
      quietUntil = quietHoursEnd(ctx.now, data.quietHours, tz);
    } catch {
      // An unknown zone stored by an old row must not block sending: no deferral.
      quietUntil = null;
    }
  }
  return userChannels(ctx).map((channel): ChannelDecision => {
    const kinds = ctx.providerKinds.get(channel) ?? [];
    const address = addressOf(channel, user, kinds);
    const suppress = (reason: SuppressionReason): ChannelDecision => ({ channel, status: 'suppressed', address, reason });
    if (!user.active) return suppress('user_inactive');
    if (!ctx.templateChannels.has(channel)) return suppress('no_template_content');
    const problem = identityProblem(channel, user, kinds);
    if (problem) return suppress(problem);
    // Even for mandatory categories: the address does not exist, so nothing would arrive.
    if (channel === 'email' && data?.emailBounced) return suppress('bounced');
    if (!ctx.category.mandatory) {
      if (data?.unsubscribed) return suppress('unsubscribed');
      if (!preferenceOn(ctx, data, channel)) return suppress('preference_off');
    }
    if (quietUntil) return { channel, status: 'pending', address, reason: `${QUIET_HOURS_REASON_PREFIX}${quietUntil.toISOString()}`, notBefore: quietUntil };
    return { channel, status: 'pending', address, reason: null, notBefore: null };
  });
}

export interface PolicyStatic {
  category: CategoryPolicy;
  tenantTimezone: string;
  providerKinds: Map<Channel, string[]>;
  groupChatKinds: string[];
}

/** What stays the same for every page of one notification. */
export async function loadPolicyStatic(db: DbOrTx, tenantId: string, category: string, tenantTimezone: string): Promise<PolicyStatic> {
  const [settings, providers] = await Promise.all([findCategorySettings(db, tenantId, category), listProviders(db, tenantId, { enabledOnly: true })]);
  const providerKinds = new Map<Channel, string[]>();
  const groupChatKinds: string[] = [];
  for (const p of providers) {
    if (p.channel === 'chat' && GROUP_ROBOT_KINDS.has(p.kind)) groupChatKinds.push(p.kind);
    else providerKinds.set(p.channel as Channel, [...(providerKinds.get(p.channel as Channel) ?? []), p.kind]);
  }
  return { category: categoryPolicy(category, settings), tenantTimezone, providerKinds, groupChatKinds };
}

/** Preferences, unsubscribes, policies and bounced addresses of one page of users, for one category. */
export async function loadPolicyData(db: DbOrTx, tenantId: string, users: readonly Pick<UserRow, 'id' | 'email'>[], category: string): Promise<Map<string, UserPolicyData>> {
  const userIds = users.map((u) => u.id);
  const [prefs, unsubs, policies, bounced] = await Promise.all([
    preferencesOf(db, tenantId, userIds, category),
    unsubscribesOf(db, tenantId, userIds, [category, '*']),
    policiesOf(db, tenantId, userIds),
    suppressedEmailAddresses(db, tenantId, users.flatMap((u) => (u.email ? [u.email] : []))),
  ]);
  const out = new Map<string, UserPolicyData>();
  const entry = (id: string): UserPolicyData => {
    let d = out.get(id);
    if (!d) {
      d = { prefs: new Map(), unsubscribed: false, quietHours: null, caps: [] };
      out.set(id, d);
    }
    return d;
  };
  for (const p of prefs) entry(p.user_id).prefs.set(p.channel, p.enabled);
  for (const u of unsubs) entry(u.user_id).unsubscribed = true;
  for (const u of users) if (u.email && bounced.has(u.email.toLowerCase())) entry(u.id).emailBounced = true;
  for (const p of policies) {
    const d = entry(p.user_id);
    d.quietHours = p.quiet_hours;
    d.caps = p.frequency_caps;
  }
  return out;
}
