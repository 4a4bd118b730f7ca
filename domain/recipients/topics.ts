// Self-service topics: categories a tenant lets its users subscribe to and unsubscribe from
// themselves (preference center, inbox token) or a backend does on their behalf (API key). A
// send to a topic reaches its subscribers through the paged audience (schema/queries/audience.ts),
// and then policy decides as for any category: an unsubscribe from the topic's category, a
// channel turned off, quiet hours and caps all apply. A user is subscribed when they hold a
// subscription and have not unsubscribed from the category (e.g. by an email's unsubscribe link).
import type { Db, DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { deleteUnsubscribe, findCategorySettings, recordPreferenceEvents, unsubscribesOf } from '../../schema/queries/preferences.js';
import { allTopics, deleteSubscription, deleteTopic, existingTopicIds, insertSubscription, subscriptionsOf, upsertTopic } from '../../schema/queries/topics.js';
import { findUser } from '../../schema/queries/users.js';
import type { TopicRow } from '../../schema/tables/topics.js';
import type { Actor } from '../actor.js';
import { categoryPolicy } from '../audience/policy.js';
import { notFound, unprocessable } from '../errors.js';

/** Who changed a subscription: the user themselves, or a backend with an API key. */
export type SubscriptionSource = 'self' | 'api';

export interface TopicChoice {
  id: string;
  name: string;
  description: string | null;
  subscribed: boolean;
}

export interface TopicDefinition {
  name: string;
  description?: string | null | undefined;
}

/** Creates or replaces a topic. A mandatory category (e.g. security) cannot be one: nobody may opt out of it. */
export async function putTopic(db: Db, actor: Actor, id: string, t: TopicDefinition): Promise<{ row: TopicRow; created: boolean }> {
  if (categoryPolicy(id, await findCategorySettings(db, actor.tenantId, id)).mandatory) throw unprocessable('mandatory_category', `category ${id} is mandatory (cannot be opted out of), so it cannot be a self-service topic`, [{ topic: id }]);
  return db.transaction().execute(async (tx) => {
    const out = await upsertTopic(tx, { tenant_id: actor.tenantId, id, name: t.name, description: t.description ?? null });
    await appendAudit(tx, { tenantId: actor.tenantId, actor: actor.keyId, action: out.created ? 'topic.create' : 'topic.update', targetType: 'topic', targetId: id });
    return out;
  });
}

/** Deletes the topic and every subscription to it; sends already accepted reach nobody through it. */
export async function removeTopic(db: Db, actor: Actor, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await deleteTopic(tx, actor.tenantId, id))) throw notFound('topic');
    await appendAudit(tx, { tenantId: actor.tenantId, actor: actor.keyId, action: 'topic.delete', targetType: 'topic', targetId: id });
  });
}

/** A send's `to.topics` must name topics of the tenant: a 422 naming each unknown one. */
export async function requireTopics(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<void> {
  const found = await existingTopicIds(db, tenantId, ids);
  const unknown = [...new Set(ids)].filter((id) => !found.has(id));
  if (unknown.length > 0) throw unprocessable('unknown_topics', `${unknown.length} topic(s) do not exist: ${unknown.join(', ')}`, unknown.map((topic) => ({ topic })));
}

/** The category of a send to topics when the request names none: its one topic, else the template's. */
export function topicCategory(topics: readonly string[] | undefined): string | undefined {
  const distinct = [...new Set(topics ?? [])];
  return distinct.length === 1 ? distinct[0] : undefined;
}

/** Every topic with whether this user is subscribed. */
export async function topicChoices(db: DbOrTx, tenantId: string, userId: string): Promise<TopicChoice[]> {
  const topics = await allTopics(db, tenantId);
  if (topics.length === 0) return [];
  const [subs, unsubs] = await Promise.all([subscriptionsOf(db, tenantId, userId), unsubscribesOf(db, tenantId, [userId], topics.map((t) => t.id))]);
  const unsubscribed = new Set(unsubs.map((u) => u.category));
  return topics.map((t) => ({ id: t.id, name: t.name, description: t.description, subscribed: subs.has(t.id) && !unsubscribed.has(t.id) }));
}

async function requireUser(db: DbOrTx, tenantId: string, userId: string): Promise<void> {
  if (!(await findUser(db, tenantId, userId))) throw notFound('user');
}

/**
 * Subscribes or unsubscribes a user of the tenant. Subscribing also lifts an unsubscribe from
 * the topic's category (the user asked for it again); each change is a preference event for
 * the statistics, and repeating one changes nothing.
 */
export async function setSubscription(db: Db, tenantId: string, topicId: string, userId: string, subscribed: boolean, source: SubscriptionSource): Promise<void> {
  if ((await existingTopicIds(db, tenantId, [topicId])).size === 0) throw notFound('topic');
  await requireUser(db, tenantId, userId);
  await db.transaction().execute(async (tx) => {
    const eventSource = source === 'self' ? 'topic_self' : 'topic_api';
    let changed: boolean;
    if (subscribed) {
      const made = await insertSubscription(tx, tenantId, topicId, userId, source);
      const lifted = await deleteUnsubscribe(tx, tenantId, userId, topicId);
      changed = made || lifted;
    } else {
      changed = await deleteSubscription(tx, tenantId, topicId, userId);
    }
    if (changed) await recordPreferenceEvents(tx, [{ tenant_id: tenantId, user_id: userId, category: topicId, channel: '*', action: subscribed ? 'opt_in' : 'opt_out', source: eventSource }]);
  });
}

/** A backend's view of one user's topics (API key of the user's tenant). */
export async function userTopics(db: DbOrTx, actor: Actor, userId: string): Promise<TopicChoice[]> {
  await requireUser(db, actor.tenantId, userId);
  return topicChoices(db, actor.tenantId, userId);
}
