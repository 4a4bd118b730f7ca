// Whom a group post @-mentions, per robot kind: the audience members who have an id on that
// platform (chat-groups.ts), at most the kind's declared `maxMentions`, read once per post.
import type { ChannelRegistry } from '../../channels/registry.js';
import type { Db } from '../../schema/database.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { audienceIdentityValues } from '../../schema/queries/chat-mentions.js';
import { listProviders } from '../../schema/queries/providers.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import { GROUP_ROBOT_KINDS, MENTION_IDENTITY_OF_KIND } from '../audience/chat-groups.js';

/** Mentions by provider kind, for the enabled robots that could carry this post (the named chat's alone when it has one). */
export async function mentionsByKind(db: Db, channels: ChannelRegistry, n: NotificationRow, providerId: string | undefined): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const providers = await listProviders(db, n.tenant_id, { channel: 'chat', enabledOnly: true });
  const kinds = providers.filter((p) => providerId === undefined || p.id === providerId).map((p) => p.kind);
  const { chats: _chats, ...selectors } = n.audience as AudienceSelectors & { chats?: string[] };
  for (const kind of new Set(kinds)) {
    const key = MENTION_IDENTITY_OF_KIND[kind];
    const max = channels.get(kind)?.limits.maxMentions ?? 0;
    if (!GROUP_ROBOT_KINDS.has(kind) || !key || max <= 0) continue;
    out.set(kind, await audienceIdentityValues(db, n.tenant_id, selectors, key, max));
  }
  return out;
}
