// Preferences, tenant category settings, per-user policies (quiet hours, caps),
// unsubscribes, the frequency-cap ledger and the preference event log.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { CategorySettingsRow, NewCategorySettings } from '../tables/category-settings.js';
import type { NewPreferenceEvent } from '../tables/preference-events.js';
import type { PreferenceRow } from '../tables/preferences.js';
import type { UnsubscribeRow } from '../tables/unsubscribes.js';
import type { FrequencyCap, QuietHours, UserPolicyRow } from '../tables/user-policies.js';

export async function findCategorySettings(db: DbOrTx, tenantId: string, category: string): Promise<CategorySettingsRow | undefined> {
  return db.selectFrom('category_settings').selectAll().where('tenant_id', '=', tenantId).where('category', '=', category).executeTakeFirst();
}

export async function listCategorySettings(db: DbOrTx, tenantId: string): Promise<CategorySettingsRow[]> {
  return db.selectFrom('category_settings').selectAll().where('tenant_id', '=', tenantId).orderBy('category').execute();
}

export async function upsertCategorySettings(db: DbOrTx, s: NewCategorySettings): Promise<CategorySettingsRow> {
  return db
    .insertInto('category_settings')
    .values(s)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'category']).doUpdateSet((eb) => ({
        channel_defaults: eb.ref('excluded.channel_defaults'),
        mandatory: eb.ref('excluded.mandatory'),
        bypass_quiet_hours: eb.ref('excluded.bypass_quiet_hours'),
        cap_max: eb.ref('excluded.cap_max'),
        cap_window_seconds: eb.ref('excluded.cap_window_seconds'),
        updated_at: new Date(),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function preferencesOf(db: DbOrTx, tenantId: string, userIds: readonly string[], category?: string): Promise<PreferenceRow[]> {
  if (userIds.length === 0) return [];
  let q = db.selectFrom('preferences').selectAll().where('tenant_id', '=', tenantId).where('user_id', 'in', userIds);
  if (category !== undefined) q = q.where('category', '=', category);
  return q.orderBy('user_id').orderBy('category').orderBy('channel').execute();
}

/** Replaces one user's preferences. */
export async function replacePreferences(db: DbOrTx, tenantId: string, userId: string, prefs: { category: string; channel: string; enabled: boolean }[]): Promise<void> {
  await db.deleteFrom('preferences').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  if (prefs.length === 0) return;
  await db
    .insertInto('preferences')
    .values(prefs.map((p) => ({ tenant_id: tenantId, user_id: userId, ...p })))
    .execute();
}

export async function policiesOf(db: DbOrTx, tenantId: string, userIds: readonly string[]): Promise<UserPolicyRow[]> {
  if (userIds.length === 0) return [];
  return db.selectFrom('user_policies').selectAll().where('tenant_id', '=', tenantId).where('user_id', 'in', userIds).execute();
}

export async function upsertPolicy(db: DbOrTx, tenantId: string, userId: string, quietHours: QuietHours | null, caps: FrequencyCap[]): Promise<void> {
  await db
    .insertInto('user_policies')
    .values({ tenant_id: tenantId, user_id: userId, quiet_hours: quietHours ? JSON.stringify(quietHours) : null, frequency_caps: JSON.stringify(caps) })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'user_id']).doUpdateSet((eb) => ({
        quiet_hours: eb.ref('excluded.quiet_hours'),
        frequency_caps: eb.ref('excluded.frequency_caps'),
        updated_at: new Date(),
      })),
    )
    .execute();
}

/** Unsubscribes of these users from these categories. */
export async function unsubscribesOf(db: DbOrTx, tenantId: string, userIds: readonly string[], categories?: readonly string[]): Promise<UnsubscribeRow[]> {
  if (userIds.length === 0) return [];
  let q = db.selectFrom('unsubscribes').selectAll().where('tenant_id', '=', tenantId).where('user_id', 'in', userIds);
  if (categories) q = q.where('category', 'in', [...categories]);
  return q.orderBy('user_id').orderBy('category').execute();
}

/** True when this call created the unsubscribe (a repeated click changes nothing). */
export async function insertUnsubscribe(db: DbOrTx, tenantId: string, userId: string, category: string, source: string): Promise<boolean> {
  const r = await db
    .insertInto('unsubscribes')
    .values({ tenant_id: tenantId, user_id: userId, category, source })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'category']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return r !== undefined;
}

export async function deleteUnsubscribe(db: DbOrTx, tenantId: string, userId: string, category: string): Promise<boolean> {
  const r = await db.deleteFrom('unsubscribes').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('category', '=', category).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function recordPreferenceEvents(db: DbOrTx, events: NewPreferenceEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.insertInto('preference_events').values(events).execute();
}

export interface CapCheck {
  userId: string;
  caps: readonly FrequencyCap[];
}

/**
 * Takes one frequency slot per user for this notification, or reports the user capped.
 * Atomic across processes: a transaction-scoped advisory lock per (tenant, user) serialises
 * every prepare that counts the same user, so 20 concurrent sends see each other's slots.
 * Users are locked in id order, so two transactions can never wait on each other in a
 * cycle. A retried prepare finds its own slot and is let through again. Must run in a
 * transaction (the lock is released at its end).
 */
export async function takeFrequencySlots(tx: DbOrTx, tenantId: string, notificationId: string, category: string, checks: readonly CapCheck[], now: Date): Promise<Set<string>> {
  const capped = new Set<string>();
  for (const { userId, caps } of [...checks].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))) {
    if (caps.length === 0) continue;
    await sql`select pg_advisory_xact_lock(hashtextextended(${`herald-cap:${tenantId}:${userId}`}, 0))`.execute(tx);
    const mine = await tx
      .selectFrom('frequency_slots')
      .select('at')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('category', '=', category)
      .where('notification_id', '=', notificationId)
      .executeTakeFirst();
    if (mine) continue;
    let over = false;
    for (const cap of caps) {
      let q = tx
        .selectFrom('frequency_slots')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('at', '>', new Date(now.getTime() - cap.windowSeconds * 1000));
      if (cap.category !== '*') q = q.where('category', '=', cap.category);
      const { n } = await q.executeTakeFirstOrThrow();
      if (Number(n) >= cap.max) {
        over = true;
        break;
      }
    }
    if (over) capped.add(userId);
    else await tx.insertInto('frequency_slots').values({ tenant_id: tenantId, user_id: userId, category, notification_id: notificationId, at: now }).execute();
  }
  return capped;
}

/** The dry-run variant: who would be capped now, taking nothing. */
export async function wouldBeCapped(db: DbOrTx, tenantId: string, checks: readonly CapCheck[], now: Date): Promise<Set<string>> {
  const capped = new Set<string>();
  for (const { userId, caps } of checks) {
    for (const cap of caps) {
      let q = db
        .selectFrom('frequency_slots')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('at', '>', new Date(now.getTime() - cap.windowSeconds * 1000));
      if (cap.category !== '*') q = q.where('category', '=', cap.category);
      if (Number((await q.executeTakeFirstOrThrow()).n) >= cap.max) {
        capped.add(userId);
        break;
      }
    }
  }
  return capped;
}

export interface PreferenceStatsRow {
  bucket: Date;
  category: string;
  channel: string;
  optOuts: number;
  optIns: number;
}

/** Opt-outs and opt-ins per category × channel per time bucket. */
export async function preferenceEventStats(db: DbOrTx, tenantId: string, from: Date, to: Date, interval: 'hour' | 'day' | 'week'): Promise<PreferenceStatsRow[]> {
  const rows = await db
    .selectFrom('preference_events')
    .select([
      sql<Date>`date_trunc(${interval}, at at time zone 'UTC') at time zone 'UTC'`.as('bucket'),
      'category',
      'channel',
      sql<string>`count(*) filter (where action = 'opt_out')`.as('opt_outs'),
      sql<string>`count(*) filter (where action = 'opt_in')`.as('opt_ins'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('at', '>=', from)
    .where('at', '<', to)
    .groupBy(['bucket', 'category', 'channel'])
    .orderBy('bucket')
    .orderBy('category')
    .orderBy('channel')
    .execute();
  return rows.map((r) => ({ bucket: r.bucket, category: r.category, channel: r.channel, optOuts: Number(r.opt_outs), optIns: Number(r.opt_ins) }));
}

/** Users opted out right now, per category × channel (`*` = unsubscribed from the whole category). */
export async function currentOptOuts(db: DbOrTx, tenantId: string): Promise<{ category: string; channel: string; users: number }[]> {
  const prefs = await db
    .selectFrom('preferences')
    .select(['category', 'channel', (eb) => eb.fn.count<string>('user_id').distinct().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('enabled', '=', false)
    .groupBy(['category', 'channel'])
    .execute();
  const unsubs = await db
    .selectFrom('unsubscribes')
    .select(['category', (eb) => eb.fn.count<string>('user_id').distinct().as('n')])
    .where('tenant_id', '=', tenantId)
    .groupBy('category')
    .execute();
  return [...prefs.map((p) => ({ category: p.category, channel: p.channel, users: Number(p.n) })), ...unsubs.map((u) => ({ category: u.category, channel: '*', users: Number(u.n) }))].sort(
    (a, b) => a.category.localeCompare(b.category) || a.channel.localeCompare(b.channel),
  );
}

export async function countUsers(db: DbOrTx, tenantId: string): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(r.n);
}
