// Self-service topics and their subscriptions.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewTopic, TopicRow } from '../tables/topics.js';

export type TopicWithCount = TopicRow & { subscribers: number };

export async function upsertTopic(db: DbOrTx, t: NewTopic): Promise<{ row: TopicRow; created: boolean }> {
  const row = await db
    .insertInto('topics')
    .values(t)
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), description: eb.ref('excluded.description'), updated_at: new Date() })))
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  const { inserted, ...rest } = row;
  return { row: rest, created: inserted };
}

const subscriberCount = sql<string>`(select count(*) from topic_subscriptions s where s.tenant_id = topics.tenant_id and s.topic_id = topics.id)`;

export async function findTopic(db: DbOrTx, tenantId: string, id: string): Promise<TopicWithCount | undefined> {
  const r = await db.selectFrom('topics').selectAll().select(subscriberCount.as('subscribers')).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return r && { ...r, subscribers: Number(r.subscribers) };
}

/** Topics by id with their subscriber counts; `after` is the last id of the previous page. */
export async function listTopics(db: DbOrTx, tenantId: string, page: { limit: number; after?: string | undefined }): Promise<TopicWithCount[]> {
  let q = db.selectFrom('topics').selectAll().select(subscriberCount.as('subscribers')).where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit);
  if (page.after) q = q.where('id', '>', page.after);
  return (await q.execute()).map((r) => ({ ...r, subscribers: Number(r.subscribers) }));
}

/** Every topic of the tenant (a tenant has tens, not thousands: the preference center shows them all). */
export async function allTopics(db: DbOrTx, tenantId: string): Promise<TopicRow[]> {
  return db.selectFrom('topics').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(1000).execute();
}

/** The ids among `ids` that are topics of the tenant. */
export async function existingTopicIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('topics').select('id').where('tenant_id', '=', tenantId).where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}

/** Deletes the topic and its subscriptions (the users stay). */
export async function deleteTopic(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('topics').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** True when this call made the subscription (repeating it changes nothing). */
export async function insertSubscription(db: DbOrTx, tenantId: string, topicId: string, userId: string, source: string): Promise<boolean> {
  const r = await db
    .insertInto('topic_subscriptions')
    .values({ tenant_id: tenantId, topic_id: topicId, user_id: userId, source })
    .onConflict((oc) => oc.columns(['tenant_id', 'topic_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return r !== undefined;
}

export async function deleteSubscription(db: DbOrTx, tenantId: string, topicId: string, userId: string): Promise<boolean> {
  const r = await db.deleteFrom('topic_subscriptions').where('tenant_id', '=', tenantId).where('topic_id', '=', topicId).where('user_id', '=', userId).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** The topics one user is subscribed to. */
export async function subscriptionsOf(db: DbOrTx, tenantId: string, userId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('topic_subscriptions').select('topic_id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  return new Set(rows.map((r) => r.topic_id));
}

/** One page of a topic's subscribers in user-id order; `after` is the last user id of the previous page. */
export async function subscribersPage(db: DbOrTx, tenantId: string, topicId: string, page: { limit: number; after?: string | undefined }) {
  let q = db
    .selectFrom('topic_subscriptions')
    .select(['user_id', 'source', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('topic_id', '=', topicId)
    .orderBy('user_id')
    .limit(page.limit);
  if (page.after) q = q.where('user_id', '>', page.after);
  return q.execute();
}
