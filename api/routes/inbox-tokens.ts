// Inbox tokens and the keys that sign them (domain/links/inbox-tokens.ts), and the inbox
// routes a recipient's browser reaches with a token: /v1/public/inbox, the token in the
// `Authorization: Bearer` header only (never in a URL, where proxies log it). The stream is
// read with fetch, which sends the header too; the widget and the React package do so.
import { z } from 'zod';
import { createInboxKey, INBOX_TOKEN_LIFETIME, listInboxKeys, mintInboxToken, retireInboxKey } from '../../domain/links/inbox-tokens.js';
import { inboxTokenOwner } from '../end-user-auth.js';
import type { AppDeps } from '../deps.js';
import type { InboxHub } from '../inbox-hub.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf } from '../schemas.js';
import { mountInbox } from './inbox.js';

const InboxSigningKey = z
  .object({ kid: z.string(), name: z.string(), createdAt: z.string(), retiredAt: z.string().nullable() })
  .meta({ id: 'InboxSigningKey', description: 'An HS256 key inbox tokens are signed with; `kid` goes in the JWS header.' });
const NewInboxSigningKey = InboxSigningKey.extend({
  secret: z.string().meta({ description: 'The HS256 key, base64url (decode it to 32 bytes to sign). Shown this once.' }),
}).meta({ id: 'NewInboxSigningKey' });

const InboxToken = z
  .object({
    token: z.string().meta({ description: 'A JWS (HS256): header `kid`, claims `sub` (user id), `aud` "herald:inbox", `iat`, `exp`.' }),
    kid: z.string(),
    expiresAt: z.string(),
    widgetUrl: z.string(),
  })
  .meta({ id: 'InboxToken', description: 'Give `token` to the page that embeds the inbox for this user; it sends it as `Authorization: Bearer`.' });

export function inboxTokenRoutes(host: RouteHost, deps: AppDeps, hub: InboxHub | undefined): void {
  const keys = { db: deps.db, secretBox: deps.secretBox };
  const base = deps.publicUrl.replace(/\/$/, '');

  defineRoute(host, {
    method: 'post',
    path: '/v1/inbox-keys',
    summary: 'Create an inbox signing key; its secret is shown once. Several may be active: create the new one, move your backend to it, then retire the old',
    tag: 'Inbox',
    scope: 'admin',
    body: z.object({ name: z.string().min(1).max(200) }).strict(),
    errors: [422],
    responses: { 201: { description: 'The key and its secret', schema: NewInboxSigningKey } },
    async handler({ res, body, auth }) {
      res.status(201).json(await createInboxKey(keys, auth.tenantId, body.name));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/inbox-keys',
    summary: "The tenant's inbox signing keys, newest first, retired ones included (never a secret)",
    tag: 'Inbox',
    scope: 'admin',
    responses: { 200: { description: 'Keys', schema: listOf(InboxSigningKey) } },
    async handler({ res, auth }) {
      res.json({ items: await listInboxKeys(deps.db, auth.tenantId), nextCursor: null });
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/inbox-keys/{kid}',
    summary: 'Retire an inbox signing key: tokens with its kid are refused from now on',
    tag: 'Inbox',
    scope: 'admin',
    params: z.object({ kid: z.string().min(1).max(64) }),
    errors: [404],
    responses: { 200: { description: 'The retired key', schema: InboxSigningKey } },
    async handler({ res, params, auth }) {
      res.json(await retireInboxKey(deps.db, auth.tenantId, params.kid));
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/users/{id}/inbox-token',
    summary: "Mint an inbox token for the user with the tenant's newest active signing key (one is made when there is none)",
    tag: 'Inbox',
    scope: 'read',
    params: z.object({ id: ClientId }),
    body: z
      .object({
        ttlSeconds: z
          .number()
          .int()
          .min(60)
          .max(INBOX_TOKEN_LIFETIME.maxSeconds)
          .optional()
          .meta({ description: `How long the token works (default ${INBOX_TOKEN_LIFETIME.defaultSeconds} s).` }),
      })
      .strict()
      .default({}),
    errors: [404, 422],
    responses: { 201: { description: 'The token', schema: InboxToken } },
    async handler({ res, params, body, auth }) {
      const t = await mintInboxToken(keys, { tenantId: auth.tenantId, userId: params.id }, body.ttlSeconds);
      res.status(201).json({ ...t, widgetUrl: `${base}/dashboard/inbox-widget.js` });
    },
  });

  mountInbox(host, deps, hub, {
    base: '/v1/public/inbox',
    tag: 'Public',
    scope: null,
    params: z.object({}),
    errors: [401],
    ownerOf: ({ req }) => inboxTokenOwner(keys, req),
  });
}
