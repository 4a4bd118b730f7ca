// The preference center a recipient reaches without an API key: a key-holding backend mints a
// signed, expiring per-user link (domain/links/user-links.ts); the public routes accept only
// that token, and only for that one user of that one tenant, reading and changing the user's
// per-category, per-channel choices and unsubscribes. (The inbox widget's token is a JWS sent
// in the Authorization header: inbox-tokens.ts.)
import { z } from 'zod';
import { DEV_SIGNING_KEY } from '../../common/config.js';
import { issueUserLink, USER_LINK_LIFETIMES } from '../../domain/links/user-link-issue.js';
import { verifyUserLink, type UserLinkPurpose, type VerifiedUserLink } from '../../domain/links/user-links.js';
import { findUser } from '../../schema/queries/users.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { CategoryName } from '../recipient-schemas.js';
import { TopicChoice } from '../topic-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId } from '../schemas.js';
import { preferenceCenterOf, updateFromPreferenceCenter, USER_CHANNELS } from '../../domain/recipients/preferences.js';

const UserChannel = z.enum(USER_CHANNELS);

const UserIdParam = z.object({ id: ClientId });
const TokenQuery = z.object({ token: z.string().min(1).max(2000).meta({ description: 'The signed per-user token.' }) });

const LinkRequest = (purpose: UserLinkPurpose) =>
  z
    .object({
      ttlSeconds: z
        .number()
        .int()
        .min(60)
        .max(USER_LINK_LIFETIMES[purpose].maxSeconds)
        .optional()
        .meta({ description: `How long the token works (default ${USER_LINK_LIFETIMES[purpose].defaultSeconds} s).` }),
    })
    .strict()
    .default({});

const PreferenceLink = z
  .object({ url: z.string(), token: z.string(), expiresAt: z.string() })
  .meta({ id: 'PreferenceLink', description: 'Send `url` to the user (e.g. in an email footer); it opens the preference center.' });

const PreferenceCenter = z
  .object({
    name: z.string().nullable().meta({ description: "The user's display name, to greet them; nothing else about the user is shown." }),
    channels: z.array(UserChannel),
    categories: z.array(
      z.object({
        category: z.string(),
        mandatory: z.boolean().meta({ description: 'Cannot be opted out of (e.g. security).' }),
        channels: z.record(z.string(), z.boolean()).meta({ description: 'Whether the user gets this category on each channel now.' }),
      }),
    ),
    unsubscribed: z.array(z.string()),
    topics: z.array(TopicChoice).meta({ description: "The tenant's self-service topics and whether the user is subscribed to each." }),
    expiresAt: z.string(),
  })
  .meta({ id: 'PreferenceCenter' });

const PreferenceCenterUpdate = z
  .object({
    categories: z
      .record(CategoryName, z.partialRecord(UserChannel, z.boolean()))
      .optional()
      .meta({ description: 'category → channel → on/off; pairs left out keep their setting.' }),
    unsubscribed: z.array(CategoryName).max(200).optional().meta({ description: 'Replaces the list of categories unsubscribed from.' }),
    topics: z.record(CategoryName, z.boolean()).optional().meta({ description: 'topic → subscribed or not; topics left out stay as they are. An unknown topic is a 422.' }),
  })
  .strict()
  .refine((b) => b.categories !== undefined || b.unsubscribed !== undefined || b.topics !== undefined, 'change at least one of categories, unsubscribed, topics')
  .meta({ id: 'PreferenceCenterUpdate' });

export function userLinkRoutes(host: RouteHost, deps: AppDeps): void {
  const key = deps.signingKey ?? DEV_SIGNING_KEY;
  // Links minted before a key rotation stay valid while their key is a previous one.
  const keys = [key, ...(deps.tokens?.previousKeys ?? [])];
  const base = deps.publicUrl.replace(/\/$/, '');

  /** The subject of a valid token for a user that still exists; one 401 for every other case. */
  async function subjectOf(purpose: UserLinkPurpose, token: string): Promise<VerifiedUserLink> {
    const s = verifyUserLink(keys, purpose, token);
    if (!s || !(await findUser(deps.db, s.tenantId, s.userId))) {
      throw new HttpError(401, 'invalid_link', 'this preference link is not valid or has expired');
    }
    return s;
  }

  defineRoute(host, {
    method: 'post',
    path: '/v1/users/{id}/preference-link',
    summary: "Make a signed, expiring link to the user's preference center (no API key needed to open it)",
    tag: 'Preferences',
    scope: 'manage',
    params: UserIdParam,
    body: LinkRequest('preferences'),
    errors: [404],
    responses: { 201: { description: 'The link', schema: PreferenceLink } },
    async handler({ res, params, body, auth }) {
      const t = await issueUserLink(deps.db, key, auth, 'preferences', params.id, body.ttlSeconds);
      res.status(201).json({ url: `${base}/dashboard/preferences?token=${encodeURIComponent(t.token)}`, ...t });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/public/preferences',
    summary: 'The preference center of the user a signed preference link names',
    tag: 'Public',
    scope: null,
    query: TokenQuery,
    errors: [401],
    responses: { 200: { description: "The user's categories and channels", schema: PreferenceCenter } },
    async handler({ res, query }) {
      const s = await subjectOf('preferences', query.token);
      res.set('cache-control', 'no-store').json({ ...(await preferenceCenterOf(deps.db, s)), expiresAt: s.expiresAt.toISOString() });
    },
  });

  defineRoute(host, {
    method: 'put',
    path: '/v1/public/preferences',
    summary: 'Change the preferences of the user a signed preference link names',
    tag: 'Public',
    scope: null,
    query: TokenQuery,
    body: PreferenceCenterUpdate,
    errors: [401, 422],
    responses: { 200: { description: 'The preference center now', schema: PreferenceCenter } },
    async handler({ res, query, body }) {
      const s = await subjectOf('preferences', query.token);
      await updateFromPreferenceCenter(deps.db, s, body);
      res.set('cache-control', 'no-store').json({ ...(await preferenceCenterOf(deps.db, s)), expiresAt: s.expiresAt.toISOString() });
    },
  });
}
