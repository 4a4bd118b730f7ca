// The in-app inbox, twice over one set of handlers: under /v1/inbox/{userId} for a backend
// holding an API key, and under /v1/public/inbox for the recipient's browser holding a signed
// inbox token (Authorization: Bearer; see inbox-token.ts). List with filters and counts,
// live stream (server-sent events), seen/read/archived states, actions, delete.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { apiInboxOwner, changeMany, changeMessage, deleteMessage, inboxPage, pressAction, type InboxOwner } from '../../domain/recipients/inbox.js';
import { countInbox, findInboxMessage, INBOX_STATES, type InboxEvent } from '../../schema/queries/inbox.js';
import type { InboxMessageRow } from '../../schema/tables/inbox-messages.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import type { InboxHub } from '../inbox-hub.js';
import { CategoryName } from '../recipient-schemas.js';
import { defineRoute, type RouteContext, type RouteHost } from '../route.js';
import { ClientId, listOf, Pagination } from '../schemas.js';
import { apiTracker } from '../tracking.js';

const MessageId = z.string().min(1).max(64);

export const InboxMessage = z
  .object({
    id: z.string(),
    notificationId: z.string(),
    category: z.string().nullable(),
    title: z.string(),
    body: z.string(),
    url: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    actions: z.array(z.object({ id: z.string(), label: z.string(), url: z.string().nullable() })).meta({ description: 'Buttons; one without a url is a callback (POST …/actions/{actionId}).' }),
    createdAt: z.string(),
    seenAt: z.string().nullable(),
    readAt: z.string().nullable(),
    archivedAt: z.string().nullable(),
  })
  .meta({ id: 'InboxMessage' });

const Count = z.number().int();
export const InboxCounts = z
  .object({
    unread: Count.meta({ description: 'Unread messages not archived.' }),
    unseen: Count.meta({ description: 'Messages not archived that no list has shown yet.' }),
    categories: z.array(z.object({ category: z.string().nullable(), total: Count, unread: Count, unseen: Count })).meta({ description: 'The same per category (null: no category), for tabs.' }),
  })
  .meta({ id: 'InboxCounts' });

const InboxList = listOf(InboxMessage).extend(InboxCounts.shape).meta({ id: 'InboxPage' });
const InboxQuery = Pagination.extend({
  state: z.enum(INBOX_STATES).optional().meta({ description: 'Default: every message not archived. `unseen`, `unread` and `read` leave archived ones out; `all` includes them.' }),
  category: CategoryName.optional(),
});
const Changed = z.object({ changed: Count }).meta({ id: 'InboxChanged' });

export function presentInboxMessage(m: InboxMessageRow): z.infer<typeof InboxMessage> {
  const at = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: m.id,
    notificationId: m.notification_id,
    category: m.category,
    title: m.title,
    body: m.body,
    url: m.url,
    data: m.data,
    actions: m.actions.map((a) => ({ id: a.id, label: a.label, url: a.url ?? null })),
    createdAt: m.created_at.toISOString(),
    seenAt: at(m.seen_at),
    readAt: at(m.read_at),
    archivedAt: at(m.archived_at),
  };
}

/** What a stream event says about a change: the ids (or all, of a category) and the counts after it. */
function changeOf(e: Exclude<InboxEvent, { kind: 'created' }>): { ids?: string[]; all?: true; category?: string } {
  return 'all' in e ? { all: true, ...(e.category !== undefined ? { category: e.category } : {}) } : { ids: e.messageIds };
}

/**
 * Answers with a server-sent event stream of one user's inbox: `ready` first, then `message`
 * (a new message) and `seen`, `read`, `unread`, `archived`, `unarchived`, `deleted`; each
 * carries the counts after it.
 */
function streamInbox(req: Request, res: Response, deps: AppDeps, hub: InboxHub, o: InboxOwner): void {
  res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const unsubscribe = hub.subscribe(o.tenantId, o.userId, (e) => {
    if (e.kind === 'closing') {
      res.end();
      return;
    }
    void (async () => {
      const counts = await countInbox(deps.db, o.tenantId, o.userId);
      if (e.kind !== 'created') return send(e.kind, { ...changeOf(e), counts });
      const m = await findInboxMessage(deps.db, o.tenantId, o.userId, e.messageId);
      if (m) send('message', { message: presentInboxMessage(m), counts });
    })().catch(() => {});
  });
  send('ready', { userId: o.userId });
  // Comments keep proxies from closing an idle stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}

const STATE_ROUTES = [
  { path: 'read', kind: 'read', summary: 'Mark a message read (and seen)' },
  { path: 'unread', kind: 'unread', summary: 'Mark a message unread again' },
  { path: 'archive', kind: 'archived', summary: 'Archive a message: it leaves the default list and the counts' },
  { path: 'unarchive', kind: 'unarchived', summary: 'Bring an archived message back' },
] as const;

/** Where one set of inbox routes lives and whose inbox a request names. */
export interface InboxMount {
  base: string;
  tag: string;
  scope: 'read' | null;
  params: z.ZodObject;
  /** Documented errors besides the route's own (401 for a token). */
  errors: number[];
  ownerOf(ctx: RouteContext<Record<string, string>, unknown, unknown>): Promise<InboxOwner> | InboxOwner;
}

export function mountInbox(host: RouteHost, deps: AppDeps, hub: InboxHub | undefined, at: InboxMount): void {
  const tracking = { db: deps.db, tracker: apiTracker(deps) };
  const common = { tag: at.tag, scope: at.scope } as const;
  const owner = (ctx: unknown) => at.ownerOf(ctx as RouteContext<Record<string, string>, unknown, unknown>);
  const ofMessage = at.params.extend({ messageId: MessageId });
  const privateNoStore = (res: Response) => res.set('cache-control', 'no-store');

  defineRoute(host, {
    ...common,
    method: 'get',
    path: at.base,
    summary: 'In-app messages, newest first, filtered by state and category, with unread and unseen counts (in all and per category)',
    params: at.params,
    query: InboxQuery,
    errors: at.errors,
    responses: { 200: { description: 'A page of messages and the counts', schema: InboxList } },
    async handler(ctx) {
      const p = await inboxPage(deps.db, await owner(ctx), { limit: ctx.query.limit, cursor: ctx.query.cursor, state: ctx.query.state, category: ctx.query.category });
      privateNoStore(ctx.res).json({ ...p, items: p.items.map(presentInboxMessage) });
    },
  });

  defineRoute(host, {
    ...common,
    method: 'get',
    path: `${at.base}/stream`,
    summary: 'Server-sent events: `ready`, then `message` and the state changes (`seen`, `read`, `unread`, `archived`, `unarchived`, `deleted`) with the counts after each',
    params: at.params,
    errors: at.errors,
    responses: { 200: { description: 'An event stream', contentType: 'text/event-stream', schema: z.string() } },
    async handler(ctx) {
      const o = await owner(ctx);
      if (!hub) throw new HttpError(503, 'stream_unavailable', 'live inbox updates are not configured on this server', undefined, { 'Retry-After': '30' });
      streamInbox(ctx.req, ctx.res, deps, hub, o);
    },
  });

  defineRoute(host, {
    ...common,
    method: 'post',
    path: `${at.base}/seen`,
    summary: 'Mark messages seen: those named (e.g. the ones a list showed), else every message not archived (of one category when given)',
    params: at.params,
    body: z.object({ ids: z.array(MessageId).min(1).max(100).optional(), category: CategoryName.optional() }).strict().default({}),
    errors: at.errors,
    responses: { 200: { description: 'How many changed', schema: Changed } },
    async handler(ctx) {
      ctx.res.json({ changed: await changeMany(tracking, await owner(ctx), 'seen', ctx.body) });
    },
  });

  defineRoute(host, {
    ...common,
    method: 'post',
    path: `${at.base}/read-all`,
    summary: 'Mark every message not archived read (of one category when given)',
    params: at.params,
    body: z.object({ category: CategoryName.optional() }).strict().default({}),
    errors: at.errors,
    responses: { 200: { description: 'How many changed', schema: Changed } },
    async handler(ctx) {
      ctx.res.json({ changed: await changeMany(tracking, await owner(ctx), 'read', ctx.body) });
    },
  });

  for (const s of STATE_ROUTES) {
    defineRoute(host, {
      ...common,
      method: 'post',
      path: `${at.base}/{messageId}/${s.path}`,
      summary: s.summary,
      params: ofMessage,
      errors: [...at.errors, 404],
      responses: { 204: { description: 'Done (also when it already was)' } },
      async handler(ctx) {
        await changeMessage(tracking, await owner(ctx), s.kind, (ctx.params as { messageId: string }).messageId);
        ctx.res.status(204).end();
      },
    });
  }

  defineRoute(host, {
    ...common,
    method: 'post',
    path: `${at.base}/{messageId}/actions/{actionId}`,
    summary: "Press one of a message's action buttons: records a `clicked` event with `details.action` and marks the message read; answers the action's url (null for a callback)",
    params: ofMessage.extend({ actionId: z.string().min(1).max(40) }),
    errors: [...at.errors, 404],
    responses: { 200: { description: 'The action', schema: z.object({ id: z.string(), url: z.string().nullable() }).meta({ id: 'InboxActionPressed' }) } },
    async handler(ctx) {
      const p = ctx.params as { messageId: string; actionId: string };
      ctx.res.json(await pressAction(tracking, await owner(ctx), p.messageId, p.actionId));
    },
  });

  defineRoute(host, {
    ...common,
    method: 'delete',
    path: `${at.base}/{messageId}`,
    summary: 'Delete a message',
    params: ofMessage,
    errors: [...at.errors, 404],
    responses: { 204: { description: 'Deleted' } },
    async handler(ctx) {
      await deleteMessage(deps.db, await owner(ctx), (ctx.params as { messageId: string }).messageId);
      ctx.res.status(204).end();
    },
  });
}

export function inboxRoutes(host: RouteHost, deps: AppDeps, hub: InboxHub | undefined): void {
  mountInbox(host, deps, hub, {
    base: '/v1/inbox/{userId}',
    tag: 'Inbox',
    scope: 'read',
    params: z.object({ userId: ClientId }),
    errors: [404],
    ownerOf: ({ auth, params }) => apiInboxOwner(deps.db, auth.tenantId, params.userId ?? ''),
  });
}
