// A user's preferences (per category × channel), quiet hours, frequency caps and
// unsubscribes; the tenant's per-category defaults; opt-out statistics.
import { z } from 'zod';
import { categoryPolicy } from '../../domain/audience/policy.js';
import {
  countUsers,
  currentOptOuts,
  deleteUnsubscribe,
  insertUnsubscribe,
  listCategorySettings,
  policiesOf,
  preferenceEventStats,
  preferencesOf,
  recordPreferenceEvents,
  replacePreferences,
  unsubscribesOf,
  upsertCategorySettings,
  upsertPolicy,
} from '../../schema/queries/preferences.js';
import { findUser } from '../../schema/queries/users.js';
import type { Db, DbOrTx } from '../../schema/database.js';
import type { NewPreferenceEvent } from '../../schema/tables/preference-events.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { Category, CategoryName, CategoryRequest, PreferenceStats, PreferenceStatsQuery, Preferences, PreferencesRequest } from '../recipient-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf } from '../schemas.js';

const UserIdParam = z.object({ id: ClientId });
const CategoryParam = z.object({ category: CategoryName });

export async function readPreferences(db: DbOrTx, tenantId: string, userId: string): Promise<z.infer<typeof Preferences>> {
  const [prefs, policies, unsubs] = await Promise.all([preferencesOf(db, tenantId, [userId]), policiesOf(db, tenantId, [userId]), unsubscribesOf(db, tenantId, [userId])]);
  const categories: Record<string, Record<string, boolean>> = {};
  for (const p of prefs) (categories[p.category] ??= {})[p.channel] = p.enabled;
  const policy = policies[0];
  return {
    userId,
    categories,
    quietHours: policy?.quiet_hours ?? null,
    frequencyCaps: policy?.frequency_caps ?? [],
    unsubscribed: unsubs.map((u) => u.category),
  };
}

/**
 * Writes the sections of `body` that are given (each replaces its section) and records every
 * opt-out and opt-in it makes as a preference event from `source`.
 */
export async function applyPreferences(db: Db, tenantId: string, userId: string, body: z.infer<typeof PreferencesRequest>, source: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const before = await readPreferences(tx, tenantId, userId);
    const events: NewPreferenceEvent[] = [];
    const event = (category: string, channel: string, action: 'opt_out' | 'opt_in') => events.push({ tenant_id: tenantId, user_id: userId, category, channel, action, source });
    if (body.categories) {
      const rows = Object.entries(body.categories).flatMap(([category, byChannel]) =>
        Object.entries(byChannel ?? {}).map(([channel, enabled]) => ({ category, channel, enabled: enabled === true })),
      );
      // Statistics count changes, not writes: re-sending the same preferences records nothing.
      for (const r of rows) {
        const was = before.categories[r.category]?.[r.channel];
        if (!r.enabled && was !== false) event(r.category, r.channel, 'opt_out');
        if (r.enabled && was === false) event(r.category, r.channel, 'opt_in');
      }
      for (const [category, byChannel] of Object.entries(before.categories)) {
        for (const [channel, enabled] of Object.entries(byChannel)) {
          if (!enabled && !rows.some((r) => r.category === category && r.channel === channel)) event(category, channel, 'opt_in');
        }
      }
      await replacePreferences(tx, tenantId, userId, rows);
    }
    if (body.quietHours !== undefined || body.frequencyCaps !== undefined) {
      await upsertPolicy(
        tx,
        tenantId,
        userId,
        body.quietHours !== undefined ? body.quietHours : (before.quietHours as z.infer<typeof Preferences>['quietHours']),
        body.frequencyCaps ?? before.frequencyCaps,
      );
    }
    if (body.unsubscribed) {
      const wanted = new Set(body.unsubscribed);
      for (const c of wanted) if (await insertUnsubscribe(tx, tenantId, userId, c, source)) event(c, '*', 'opt_out');
      for (const c of before.unsubscribed) if (!wanted.has(c) && (await deleteUnsubscribe(tx, tenantId, userId, c))) event(c, '*', 'opt_in');
    }
    await recordPreferenceEvents(tx, events);
  });
}

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
      if (!(await findUser(deps.db, auth.tenantId, params.id))) throw notFound('user');
      res.json(await readPreferences(deps.db, auth.tenantId, params.id));
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
      const tenantId = auth.tenantId;
      const userId = params.id;
      if (!(await findUser(deps.db, tenantId, userId))) throw notFound('user');
      await applyPreferences(deps.db, tenantId, userId, body, 'api');
      res.json(await readPreferences(deps.db, tenantId, userId));
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
      const row = await upsertCategorySettings(deps.db, {
        tenant_id: auth.tenantId,
        category: params.category,
        channel_defaults: JSON.stringify(body.channelDefaults ?? {}),
        mandatory: body.mandatory ?? false,
        bypass_quiet_hours: body.bypassQuietHours ?? false,
        cap_max: body.frequencyCap?.max ?? null,
        cap_window_seconds: body.frequencyCap?.windowSeconds ?? null,
      });
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
