// A user's choices: preferences per category × channel, quiet hours, frequency caps and
// unsubscribes, changed by the API, the preference center and unsubscribe links alike.
// Every opt-out and opt-in is recorded as a preference event, for the statistics.
import { CHANNELS } from '../../channels/types.js';
import type { Db, DbOrTx } from '../../schema/database.js';
import {
  deleteUnsubscribe,
  insertUnsubscribe,
  listCategorySettings,
  policiesOf,
  preferencesOf,
  recordPreferenceEvents,
  replacePreferences,
  unsubscribesOf,
  upsertCategorySettings,
  upsertPolicy,
} from '../../schema/queries/preferences.js';
import { listTemplateCategories } from '../../schema/queries/templates.js';
import { findUser } from '../../schema/queries/users.js';
import type { NewPreferenceEvent } from '../../schema/tables/preference-events.js';
import type { FrequencyCap, QuietHours } from '../../schema/tables/user-policies.js';
import type { Actor } from '../actor.js';
import { categoryPolicy } from '../audience/policy.js';
import { notFound, unprocessable } from '../errors.js';
import { requireTopics, setSubscription, topicChoices, type TopicChoice } from './topics.js';

/** category → channel (or `*`) → on/off. */
export type ChannelChoices = Record<string, Partial<Record<string, boolean>>>;

export interface PreferencesView {
  userId: string;
  categories: Record<string, Record<string, boolean>>;
  quietHours: QuietHours | null;
  frequencyCaps: FrequencyCap[];
  unsubscribed: string[];
}

/** The sections to replace; a section left out stays as it is. */
export interface PreferencesChange {
  categories?: ChannelChoices | undefined;
  quietHours?: QuietHours | null | undefined;
  frequencyCaps?: FrequencyCap[] | undefined;
  unsubscribed?: string[] | undefined;
}

export async function readPreferences(db: DbOrTx, tenantId: string, userId: string): Promise<PreferencesView> {
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

/** Writes the sections of `change` that are given, recording every opt-out and opt-in it makes as from `source`. */
async function applyPreferences(db: Db, tenantId: string, userId: string, change: PreferencesChange, source: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const before = await readPreferences(tx, tenantId, userId);
    const events: NewPreferenceEvent[] = [];
    const event = (category: string, channel: string, action: 'opt_out' | 'opt_in') => events.push({ tenant_id: tenantId, user_id: userId, category, channel, action, source });
    if (change.categories) {
      const rows = Object.entries(change.categories).flatMap(([category, byChannel]) =>
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
    if (change.quietHours !== undefined || change.frequencyCaps !== undefined) {
      await upsertPolicy(tx, tenantId, userId, change.quietHours !== undefined ? change.quietHours : before.quietHours, change.frequencyCaps ?? before.frequencyCaps);
    }
    if (change.unsubscribed) {
      const wanted = new Set(change.unsubscribed);
      for (const c of wanted) if (await insertUnsubscribe(tx, tenantId, userId, c, source)) event(c, '*', 'opt_out');
      for (const c of before.unsubscribed) if (!wanted.has(c) && (await deleteUnsubscribe(tx, tenantId, userId, c))) event(c, '*', 'opt_in');
    }
    await recordPreferenceEvents(tx, events);
  });
}

async function requireUser(db: DbOrTx, tenantId: string, userId: string): Promise<void> {
  if (!(await findUser(db, tenantId, userId))) throw notFound('user');
}

export async function userPreferences(db: DbOrTx, actor: Actor, userId: string): Promise<PreferencesView> {
  await requireUser(db, actor.tenantId, userId);
  return readPreferences(db, actor.tenantId, userId);
}

/** A change through the API (source `api`); returns the preferences now. */
export async function setUserPreferences(db: Db, actor: Actor, userId: string, change: PreferencesChange): Promise<PreferencesView> {
  await requireUser(db, actor.tenantId, userId);
  await applyPreferences(db, actor.tenantId, userId, change, 'api');
  return readPreferences(db, actor.tenantId, userId);
}

/** Whom a signed link (preference center, unsubscribe) names. */
export interface LinkedUser {
  tenantId: string;
  userId: string;
}

/** The one-click unsubscribe of a user from a category; repeating it changes nothing. */
export async function unsubscribeByLink(db: Db, s: LinkedUser & { category: string }): Promise<void> {
  const source = 'unsubscribe_link';
  await db.transaction().execute(async (tx) => {
    if (await insertUnsubscribe(tx, s.tenantId, s.userId, s.category, source)) {
      await recordPreferenceEvents(tx, [{ tenant_id: s.tenantId, user_id: s.userId, category: s.category, channel: '*', action: 'opt_out', source }]);
    }
  });
}

/** The channels a recipient chooses between; webhooks are the tenant's own, not the user's. */
export const USER_CHANNELS = CHANNELS.filter((c) => c !== 'webhook');

export interface PreferenceCenterView {
  name: string | null;
  channels: (typeof USER_CHANNELS)[number][];
  categories: { category: string; mandatory: boolean; channels: Record<string, boolean> }[];
  unsubscribed: string[];
  /** The tenant's self-service topics, each with whether the user is subscribed. */
  topics: TopicChoice[];
}

/** What the preference center shows: every category the user may hear of, each channel as delivery would decide it. */
export async function preferenceCenterOf(db: DbOrTx, s: LinkedUser): Promise<PreferenceCenterView> {
  const [user, prefs, settings, templateCategories, topics] = await Promise.all([
    findUser(db, s.tenantId, s.userId),
    readPreferences(db, s.tenantId, s.userId),
    listCategorySettings(db, s.tenantId),
    listTemplateCategories(db, s.tenantId),
    topicChoices(db, s.tenantId, s.userId),
  ]);
  const rows = new Map(settings.map((r) => [r.category, r]));
  const names = new Set([...rows.keys(), ...templateCategories, ...Object.keys(prefs.categories), ...prefs.unsubscribed.filter((c) => c !== '*')]);
  const categories = [...names].sort().map((category) => {
    const policy = categoryPolicy(category, rows.get(category));
    const own = prefs.categories[category] ?? {};
    // The same order of precedence as delivery (domain/audience/policy.ts): the user's choice for
    // the channel, then for every channel, then the tenant's default, else on.
    const channels = Object.fromEntries(
      USER_CHANNELS.map((c) => [c, policy.mandatory || (own[c] ?? own['*'] ?? policy.channelDefaults[c] ?? policy.channelDefaults['*'] ?? true)]),
    );
    return { category, mandatory: policy.mandatory, channels };
  });
  return { name: user?.name ?? null, channels: [...USER_CHANNELS], categories, unsubscribed: prefs.unsubscribed, topics };
}

/**
 * A change from the preference center: mandatory categories cannot be opted out of, and the
 * channels the page does not send stay as they were. Topic subscriptions (topic → on/off) are
 * applied after the rest, as the user's own.
 */
export async function updateFromPreferenceCenter(
  db: Db,
  s: LinkedUser,
  change: { categories?: ChannelChoices | undefined; unsubscribed?: string[] | undefined; topics?: Partial<Record<string, boolean>> | undefined },
): Promise<void> {
  const settings = new Map((await listCategorySettings(db, s.tenantId)).map((r) => [r.category, r]));
  const mandatory = [...Object.keys(change.categories ?? {}), ...(change.unsubscribed ?? [])].filter((c) => categoryPolicy(c, settings.get(c)).mandatory);
  if (change.topics) await requireTopics(db, s.tenantId, Object.keys(change.topics));
  if (mandatory.length > 0) throw unprocessable('mandatory_category', `these categories cannot be opted out of: ${[...new Set(mandatory)].join(', ')}`, mandatory.map((category) => ({ category })));
  let categories: ChannelChoices | undefined;
  if (change.categories) {
    const before = await readPreferences(db, s.tenantId, s.userId);
    categories = structuredClone(before.categories);
    for (const [category, byChannel] of Object.entries(change.categories)) Object.assign((categories[category] ??= {}), byChannel);
  }
  if (categories || change.unsubscribed) {
    await applyPreferences(db, s.tenantId, s.userId, { ...(categories ? { categories } : {}), ...(change.unsubscribed ? { unsubscribed: change.unsubscribed } : {}) }, 'preference_center');
  }
  for (const [topic, on] of Object.entries(change.topics ?? {})) {
    if (on !== undefined) await setSubscription(db, s.tenantId, topic, s.userId, on, 'self');
  }
}

/** A tenant's defaults for a category (API.md CategoryRequest). */
export interface CategoryDefaults {
  channelDefaults?: Partial<Record<string, boolean>> | undefined;
  mandatory?: boolean | undefined;
  bypassQuietHours?: boolean | undefined;
  frequencyCap?: { max: number; windowSeconds: number } | null | undefined;
}

export async function setCategoryDefaults(db: DbOrTx, actor: Actor, category: string, d: CategoryDefaults) {
  return upsertCategorySettings(db, {
    tenant_id: actor.tenantId,
    category,
    channel_defaults: JSON.stringify(d.channelDefaults ?? {}),
    mandatory: d.mandatory ?? false,
    bypass_quiet_hours: d.bypassQuietHours ?? false,
    cap_max: d.frequencyCap?.max ?? null,
    cap_window_seconds: d.frequencyCap?.windowSeconds ?? null,
  });
}
