// Self-service topics (domain/recipients/topics.ts): the tenant's admin routes, a backend
// subscribing users on their behalf, and the end user's own routes under /v1/public/topics,
// authenticated by their inbox token in the Authorization header.
import { z } from 'zod';
import { putTopic, removeTopic, setSubscription, topicChoices, userTopics, type TopicChoice as DomainTopicChoice } from '../../domain/recipients/topics.js';
import { findTopic, listTopics, subscribersPage, type TopicWithCount } from '../../schema/queries/topics.js';
import type { AppDeps } from '../deps.js';
import { inboxTokenOwner } from '../end-user-auth.js';
import { notFound } from '../errors.js';
import { CategoryName } from '../recipient-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf, Pagination } from '../schemas.js';
import { Topic, TopicChoice, TopicRequest, TopicSubscriber } from '../topic-schemas.js';

const TopicParam = z.object({ id: CategoryName });
const SubscriberParam = z.object({ id: CategoryName, userId: ClientId });
const SubscribersQuery = Pagination.extend({ cursor: ClientId.optional().meta({ description: 'The last user id of the previous page.' }) });

function present(t: TopicWithCount): z.infer<typeof Topic> {
  return { id: t.id, name: t.name, description: t.description, subscribers: t.subscribers, createdAt: t.created_at.toISOString(), updatedAt: t.updated_at.toISOString() };
}

/** The one topic's choice out of a user's list (it exists: the change just found it). */
function choiceOf(list: DomainTopicChoice[], id: string): DomainTopicChoice {
  const c = list.find((t) => t.id === id);
  if (!c) throw notFound('topic');
  return c;
}

export function topicRoutes(host: RouteHost, deps: AppDeps): void {
  adminRoutes(host, deps);
  endUserRoutes(host, deps);
}

function adminRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'put',
    path: '/v1/topics/{id}',
    summary: 'Create or replace a self-service topic: a category users may subscribe to themselves (id = the category)',
    tag: 'Topics',
    scope: 'manage',
    params: TopicParam,
    body: TopicRequest,
    errors: [422],
    responses: { 200: { description: 'Replaced', schema: Topic }, 201: { description: 'Created', schema: Topic } },
    async handler({ res, params, body, auth }) {
      const { created } = await putTopic(deps.db, auth, params.id, body);
      const row = await findTopic(deps.db, auth.tenantId, params.id);
      if (!row) throw notFound('topic');
      res.status(created ? 201 : 200).json(present(row));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/topics',
    summary: "The tenant's self-service topics with their subscriber counts",
    tag: 'Topics',
    scope: 'read',
    query: Pagination,
    responses: { 200: { description: 'A page of topics', schema: listOf(Topic) } },
    async handler({ res, query, auth }) {
      const rows = await listTopics(deps.dbRead ?? deps.db, auth.tenantId, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({ items: page.map(present), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/topics/{id}',
    summary: 'Get a topic',
    tag: 'Topics',
    scope: 'read',
    params: TopicParam,
    errors: [404],
    responses: { 200: { description: 'The topic', schema: Topic } },
    async handler({ res, params, auth }) {
      const row = await findTopic(deps.db, auth.tenantId, params.id);
      if (!row) throw notFound('topic');
      res.json(present(row));
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/topics/{id}',
    summary: 'Delete a topic and every subscription to it (the category, its preferences and the users stay)',
    tag: 'Topics',
    scope: 'manage',
    params: TopicParam,
    errors: [404],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      await removeTopic(deps.db, auth, params.id);
      res.status(204).end();
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/topics/{id}/subscribers',
    summary: "A page of a topic's subscribers, by user id",
    tag: 'Topics',
    scope: 'read',
    params: TopicParam,
    query: SubscribersQuery,
    errors: [404],
    responses: { 200: { description: 'A page of subscribers', schema: listOf(TopicSubscriber) } },
    async handler({ res, params, query, auth }) {
      const db = deps.dbRead ?? deps.db;
      if (!(await findTopic(db, auth.tenantId, params.id))) throw notFound('topic');
      const rows = await subscribersPage(db, auth.tenantId, params.id, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({
        items: page.map((r) => ({ userId: r.user_id, source: r.source === 'self' ? ('self' as const) : ('api' as const), subscribedAt: r.created_at.toISOString() })),
        nextCursor: rows.length > query.limit ? (page.at(-1)?.user_id ?? null) : null,
      });
    },
  });

  for (const [method, subscribed] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    defineRoute(host, {
      method,
      path: '/v1/topics/{id}/subscribers/{userId}',
      summary: subscribed ? "Subscribe a user to a topic on the user's behalf (lifts an unsubscribe from its category)" : "Unsubscribe a user from a topic on the user's behalf",
      tag: 'Topics',
      scope: 'manage',
      params: SubscriberParam,
      errors: [404],
      responses: { 200: { description: "The user's subscription now", schema: TopicChoice } },
      async handler({ res, params, auth }) {
        await setSubscription(deps.db, auth.tenantId, params.id, params.userId, subscribed, 'api');
        res.json(choiceOf(await topicChoices(deps.db, auth.tenantId, params.userId), params.id));
      },
    });
  }

  defineRoute(host, {
    method: 'get',
    path: '/v1/users/{id}/topics',
    summary: "Every topic of the tenant with whether the user is subscribed",
    tag: 'Topics',
    scope: 'read',
    params: z.object({ id: ClientId }),
    errors: [404],
    responses: { 200: { description: "The user's topics", schema: listOf(TopicChoice) } },
    async handler({ res, params, auth }) {
      res.json({ items: await userTopics(deps.db, auth, params.id), nextCursor: null });
    },
  });
}

function endUserRoutes(host: RouteHost, deps: AppDeps): void {
  const keys = { db: deps.db, secretBox: deps.secretBox };

  defineRoute(host, {
    method: 'get',
    path: '/v1/public/topics',
    summary: "The topics the inbox token's user may subscribe to, with whether they are (token in `Authorization: Bearer`)",
    tag: 'Public',
    scope: null,
    errors: [401],
    responses: { 200: { description: 'Topics', schema: listOf(TopicChoice) } },
    async handler({ req, res }) {
      const owner = await inboxTokenOwner(keys, req);
      res.set('cache-control', 'no-store').json({ items: await topicChoices(deps.db, owner.tenantId, owner.userId), nextCursor: null });
    },
  });

  for (const [method, subscribed] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    defineRoute(host, {
      method,
      path: '/v1/public/topics/{id}',
      summary: subscribed ? "Subscribe the inbox token's user to a topic" : "Unsubscribe the inbox token's user from a topic",
      tag: 'Public',
      scope: null,
      params: TopicParam,
      errors: [401, 404],
      responses: { 200: { description: 'The subscription now', schema: TopicChoice } },
      async handler({ req, res, params }) {
        const owner = await inboxTokenOwner(keys, req);
        await setSubscription(deps.db, owner.tenantId, params.id, owner.userId, subscribed, 'self');
        res.set('cache-control', 'no-store').json(choiceOf(await topicChoices(deps.db, owner.tenantId, owner.userId), params.id));
      },
    });
  }
}
