// Group chats as recipients. A group robot (DingTalk, WeCom and Feishu custom bots, Slack
// incoming webhooks, Teams, Discord) posts into the one group its webhook URL names, so a
// notification posts there once, on one ledger row whose recipient is the group — never once
// per user. A send names groups with `to.chats` (the robots' provider ids); a send to users on
// the chat channel posts once to the tenant's group robots in failover order, @-mentioning
// the audience members who have an id on that platform.
import type { DbOrTx } from '../../schema/database.js';
import { listProviders } from '../../schema/queries/providers.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import { unprocessable } from '../errors.js';
import type { Identities } from './targets.js';

/** Chat kinds that post into one group through their webhook URL: no per-user id needed. */
export const GROUP_ROBOT_KINDS: ReadonlySet<string> = new Set(['slack', 'discord', 'teams', 'dingtalk-robot', 'wecom-robot', 'feishu-bot']);

/** The identity whose ids a robot of this kind @-mentions (DingTalk userId, WeCom userid, Feishu open_id). */
export const MENTION_IDENTITY_OF_KIND: Readonly<Record<string, keyof Identities>> = { 'dingtalk-robot': 'dingtalk', 'wecom-robot': 'wecom', 'feishu-bot': 'feishu' };

// A '/' no user id can hold (domain/recipients/client-id.ts), so a group never passes for a user.
const PREFIX = 'chat/';

/** The ledger recipient of a notification's post to the chat of this provider (`to.chats`). */
export const chatRecipient = (providerId: string): string => `${PREFIX}${providerId}`;

/** The ledger recipient of the group post of a send to users on chat: whichever group robot takes it, in failover order. */
export const ANY_GROUP_RECIPIENT = `${PREFIX}*`;

/** Whether a ledger row's recipient is a group; with the provider it must go to, or undefined for any group robot. */
export function chatOfRecipient(userId: string): { providerId: string | undefined } | null {
  if (!userId.startsWith(PREFIX)) return null;
  const rest = userId.slice(PREFIX.length);
  return { providerId: rest === '*' ? undefined : rest };
}

/** `to.chats` names the tenant's enabled group-robot providers; a 422 names every one that is not. */
export async function checkChats(db: DbOrTx, tenantId: string, chats: readonly string[]): Promise<void> {
  const robots = new Set((await listProviders(db, tenantId, { channel: 'chat', enabledOnly: true })).filter((p) => GROUP_ROBOT_KINDS.has(p.kind)).map((p) => p.id));
  const unknown = [...new Set(chats)].filter((c) => !robots.has(c));
  if (unknown.length === 0) return;
  throw unprocessable(
    'unknown_chat',
    `to.chats: ${unknown.map((c) => JSON.stringify(c)).join(', ')} ${unknown.length === 1 ? 'is not' : 'are not'} an enabled group chat provider of this tenant (kinds: ${[...GROUP_ROBOT_KINDS].join(', ')})`,
    unknown.map((chat) => ({ in: 'body', path: 'to.chats', chat })),
  );
}

/** The chats a notification names (`to.chats`), each once. */
export function namedChats(n: Pick<NotificationRow, 'audience'>): string[] {
  const { chats } = n.audience as { chats?: string[] };
  return [...new Set(chats ?? [])];
}

export interface GroupPost {
  recipient: string;
  /** The chat's provider id; null for any group robot. */
  address: string | null;
}

/**
 * The group posts of a notification: one per chat it names, or else — when it goes to users
 * on chat and the tenant has group robots — one to the first robot that takes it.
 */
export function groupPostsOf(n: Pick<NotificationRow, 'channels' | 'audience'>, groupChatKinds: readonly string[]): GroupPost[] {
  if (!n.channels.includes('chat')) return [];
  const chats = namedChats(n);
  if (chats.length > 0) return chats.map((id) => ({ recipient: chatRecipient(id), address: id }));
  const { chats: _named, ...selectors } = n.audience as { chats?: string[] } & Record<string, unknown>;
  const toUsers = Object.values(selectors).some((v) => v !== undefined && v !== false);
  return toUsers && groupChatKinds.length > 0 ? [{ recipient: ANY_GROUP_RECIPIENT, address: null }] : [];
}
