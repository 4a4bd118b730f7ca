// A user's preferences (per category × channel), quiet hours, frequency caps and
// unsubscribes; the tenant's per-category defaults; opt-out statistics.
import { z } from 'zod';
import { categoryPolicy } from '../../domain/audience/policy.js';
import { setCategoryDefaults, setUserPreferences, userPreferences } from '../../domain/recipients/preferences.js';
import { countUsers, currentOptOuts, listCategorySettings, preferenceEventStats } from '../../schema/queries/preferences.js';
import type { AppDeps } from '../deps.js';
import { Category, CategoryName, CategoryRequest, PreferenceStats, PreferenceStatsQuery, Preferences, PreferencesRequest } from '../recipient-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf } from '../schemas.js';

const UserIdParam = z.object({ id: ClientId });
const CategoryParam = z.object({ category: CategoryName });

export function preferenceRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'get',
    path: '/v1/users/{id}/preferences',
    summary: "A user's preferences, quiet hours, frequency caps and unsubscribes",
    tag: 'Preferences',
    scope: 'read',
    params: UserIdParam,
    errors: [404],
    responses: { 200: { description: 'The preferences', schema: Preferences } },
    async handler({ res, params, auth }) {
      res.json(await userPreferences(deps.db, auth, params.id));
    },
  });

  defineRoute(host, {
    method: 'put',
    path: '/v1/users/{id}/preferences',
    summary: "Set a user's preferences; each section given replaces that section",
    tag: 'Preferences',
    scope: 'manage',
    params: UserIdParam,
    body: PreferencesRequest,
    errors: [404],
    responses: { 200: { description: 'The preferences now', schema: Preferences } },
    async handler({ res, params, body, auth }) {
      res.json(await setUserPreferences(deps.db, auth, params.id, body));
    },
  });

  function presentCategory(category: string, row: Parameters<typeof categoryPolicy>[1]): z.infer<typeof Category> {
    const p = categoryPolicy(category, row);
    return { category, channelDefaults: p.channelDefaults, mandatory: p.mandatory, bypassQuietHours: p.bypassQuietHours, frequencyCap: p.cap, builtIn: row === undefined };
  }

  defineRoute(host, {
    method: 'put',
    path: '/v1/categories/{category}',
    summary: 'Set the tenant defaults of a preference category: channel defaults, non-opt-out, quiet-hours bypass, frequency cap',
    tag: 'Preferences',
    scope: 'manage',
    params: CategoryParam,
    body: CategoryRequest,
    responses: { 200: { description: 'The category', schema: Category } },
    async handler({ res, params, body, auth }) {
      const row = await setCategoryDefaults(deps.db, auth, params.category, body);
      res.json(presentCategory(row.category, row));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/categories',
    summary: "The tenant's preference categories, with built-in defaults (security) not overridden",
    tag: 'Preferences',
    scope: 'read',
    responses: { 200: { description: 'Categories', schema: listOf(Category) } },
    async handler({ res, auth }) {
      const rows = await listCategorySettings(deps.db, auth.tenantId);
      const items = rows.map((r) => presentCategory(r.category, r));
      if (!rows.some((r) => r.category === 'security')) items.push(presentCategory('security', undefined));
      res.json({ items: items.sort((a, b) => a.category.localeCompare(b.category)), nextCursor: null });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/preferences/stats',
    summary: 'Opt-outs and opt-ins per category × channel over time, and the current opt-out rate',
    tag: 'Preferences',
    scope: 'read',
    query: PreferenceStatsQuery,
    responses: { 200: { description: 'Statistics', schema: PreferenceStats } },
    async handler({ res, query, auth }) {
      const db = deps.dbRead ?? deps.db;
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
      const [series, current, users] = await Promise.all([preferenceEventStats(db, auth.tenantId, from, to, query.interval), currentOptOuts(db, auth.tenantId), countUsers(db, auth.tenantId)]);
      res.json({
        from: from.toISOString(),
        to: to.toISOString(),
        interval: query.interval,
        series: series.map((s) => ({ ...s, bucket: s.bucket.toISOString() })),
        current: current.map((c) => ({ category: c.category, channel: c.channel, optedOut: c.users, users, rate: users === 0 ? 0 : c.users / users })),
      });
    },
  });
}
