// The in-app inbox: list, live stream (server-sent events), read, delete.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { deleteMessage, markMessageRead } from '../../domain/recipients/inbox.js';
import { countUnread, findInboxMessage, listInbox } from '../../schema/queries/inbox.js';
import type { InboxMessageRow } from '../../schema/tables/inbox-messages.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import type { InboxHub } from '../inbox-hub.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf, Pagination } from '../schemas.js';

const UserParam = z.object({ userId: ClientId });
const MessageParam = z.object({ userId: ClientId, messageId: z.string().min(1).max(64) });

export const InboxMessage = z
  .object({
    id: z.string(),
    notificationId: z.string(),
    title: z.string(),
    body: z.string(),
    url: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .meta({ id: 'InboxMessage' });

export function presentInboxMessage(m: InboxMessageRow): z.infer<typeof InboxMessage> {
  return {
    id: m.id,
    notificationId: m.notification_id,
    title: m.title,
    body: m.body,
    url: m.url,
    data: m.data,
    createdAt: m.created_at.toISOString(),
    readAt: m.read_at?.toISOString() ?? null,
  };
}

/** Answers with a server-sent event stream of one user's inbox: `ready`, then `message`, `read`, `deleted`. */
export function streamInbox(req: Request, res: Response, deps: AppDeps, hub: InboxHub, tenantId: string, userId: string): void {
  res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const unsubscribe = hub.subscribe(tenantId, userId, (e) => {
    if (e.kind === 'closing') {
      res.end();
      return;
    }
    void (async () => {
      if (e.kind === 'created') {
        const m = await findInboxMessage(deps.db, tenantId, userId, e.messageId);
        if (m) send('message', presentInboxMessage(m));
      } else {
        send(e.kind, { id: e.messageId });
      }
    })().catch(() => {});
  });
  send('ready', { userId });
  // Comments keep proxies from closing an idle stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}

export function inboxRoutes(host: RouteHost, deps: AppDeps, hub: InboxHub | undefined): void {
  defineRoute(host, {
    method: 'get',
    path: '/v1/inbox/{userId}',
    summary: "A user's in-app messages, newest first, with the unread count",
    tag: 'Inbox',
    scope: 'read',
    params: UserParam,
    query: Pagination.extend({ unread: z.enum(['true', 'false']).optional() }),
    responses: { 200: { description: 'Messages', schema: listOf(InboxMessage).extend({ unread: z.number().int() }) } },
    async handler({ res, params, query, auth }) {
      const rows = await listInbox(deps.db, auth.tenantId, params.userId, { limit: query.limit + 1, before: query.cursor, unreadOnly: query.unread === 'true' });
      const page = rows.slice(0, query.limit);
      res.json({
        items: page.map(presentInboxMessage),
        nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
        unread: await countUnread(deps.db, auth.tenantId, params.userId),
      });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/inbox/{userId}/stream',
    summary: 'Server-sent events: `message` (a new in-app message), `read`, `deleted`; a `ready` event first',
    tag: 'Inbox',
    scope: 'read',
    params: UserParam,
    responses: { 200: { description: 'An event stream', contentType: 'text/event-stream', schema: z.string() } },
    handler({ req, res, params, auth }) {
      if (!hub) throw new HttpError(503, 'stream_unavailable', 'live inbox updates are not configured on this server', undefined, { 'Retry-After': '30' });
      streamInbox(req, res, deps, hub, auth.tenantId, params.userId);
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/inbox/{userId}/{messageId}/read',
    summary: 'Mark an in-app message read',
    tag: 'Inbox',
    scope: 'read',
    params: MessageParam,
    errors: [404],
    responses: { 204: { description: 'Read' } },
    async handler({ res, params, auth }) {
      await markMessageRead(deps.db, auth.tenantId, params.userId, params.messageId);
      res.status(204).end();
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/inbox/{userId}/{messageId}',
    summary: 'Delete an in-app message',
    tag: 'Inbox',
    scope: 'read',
    params: MessageParam,
    errors: [404],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      await deleteMessage(deps.db, auth.tenantId, params.userId, params.messageId);
      res.status(204).end();
    },
  });
}
