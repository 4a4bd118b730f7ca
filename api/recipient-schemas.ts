// Request and response schemas of the recipient routes: groups, modules, preferences,
// categories, audience counts, import reports.
import { z } from 'zod';
import { CHANNELS } from '../channels/types.js';
import type { AudienceCountRequest as DomainAudienceCountRequest } from '../domain/audience/dry-run.js';
import type { CategoryDefaults, PreferencesChange } from '../domain/recipients/preferences.js';
import { CategoryName } from './audience-schemas.js';
import { Audience, ChannelName, ClientId, Priority, Timezone } from './schemas.js';

// Defined beside the audience selectors, which name topics (categories) too.
export { CategoryName } from './audience-schemas.js';
const ChannelOrAll = z.enum([...CHANNELS, '*']).meta({ description: 'A channel, or `*` for every channel.' });
const OnOffByChannel = z.partialRecord(ChannelOrAll, z.boolean());

export const SetRequest = z
  .object({ name: z.string().max(200).nullable().optional(), description: z.string().max(2000).nullable().optional() })
  .strict()
  .meta({ id: 'GroupOrModuleRequest' });

export const SetResponse = z
  .object({ id: z.string(), name: z.string().nullable(), description: z.string().nullable(), members: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'GroupOrModule' });

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'HH:MM or HH:MM:SS');

export const QuietHoursSchema = z
  .object({ start: Clock, end: Clock, timezone: Timezone.optional().meta({ description: "Default: the user's timezone, then the tenant's." }) })
  .strict()
  .refine((q) => q.start !== q.end, 'start and end must differ')
  .meta({ id: 'QuietHours', description: 'Non-urgent deliveries in this local window wait until its end (never dropped). An end before the start spans midnight.' });

export const FrequencyCapSchema = z
  .object({
    category: z.union([CategoryName, z.literal('*')]),
    max: z.number().int().min(1).max(100_000),
    windowSeconds: z.number().int().min(60).max(366 * 86_400),
  })
  .strict()
  .meta({ id: 'FrequencyCap', description: 'At most `max` notifications of the category (or `*`: of all) within any `windowSeconds`.' });

export const PreferencesRequest = z
  .object({
    categories: z.record(CategoryName, OnOffByChannel).optional().meta({ description: 'category → channel (or `*`) → on/off. Replaces all preferences when given.' }),
    quietHours: QuietHoursSchema.nullable().optional(),
    frequencyCaps: z.array(FrequencyCapSchema).max(50).optional(),
    unsubscribed: z.array(z.union([CategoryName, z.literal('*')])).max(200).optional().meta({ description: 'Categories unsubscribed from; replaces the list when given (removing one resubscribes).' }),
  })
  .strict()
  .meta({ id: 'PreferencesRequest', description: 'Each section given replaces that section; sections left out stay as they are.' }) satisfies z.ZodType<PreferencesChange>;

export const Preferences = z
  .object({
    userId: z.string(),
    categories: z.record(z.string(), z.record(z.string(), z.boolean())),
    quietHours: z.object({ start: z.string(), end: z.string(), timezone: z.string().optional() }).nullable(),
    frequencyCaps: z.array(z.object({ category: z.string(), max: z.number().int(), windowSeconds: z.number().int() })),
    unsubscribed: z.array(z.string()),
  })
  .meta({ id: 'Preferences' });

export const CategoryRequest = z
  .object({
    channelDefaults: OnOffByChannel.optional().meta({ description: 'On/off per channel when a user has said nothing (default on).' }),
    mandatory: z.boolean().optional().meta({ description: 'Cannot be opted out of: preferences, unsubscribes and frequency caps do not apply.' }),
    bypassQuietHours: z.boolean().optional().meta({ description: 'Delivered during quiet hours (high priority always is).' }),
    frequencyCap: z.object({ max: z.number().int().min(1).max(100_000), windowSeconds: z.number().int().min(60).max(366 * 86_400) }).strict().nullable().optional(),
  })
  .strict()
  .meta({ id: 'CategoryRequest' }) satisfies z.ZodType<CategoryDefaults>;

export const Category = z
  .object({
    category: z.string(),
    channelDefaults: z.record(z.string(), z.boolean()),
    mandatory: z.boolean(),
    bypassQuietHours: z.boolean(),
    frequencyCap: z.object({ max: z.number().int(), windowSeconds: z.number().int() }).nullable(),
    builtIn: z.boolean().meta({ description: 'A built-in default the tenant has not overridden.' }),
  })
  .meta({ id: 'Category' });

export const AudienceCountRequest = z
  .object({
    to: Audience,
    template: ClientId.optional().meta({ description: "Count on its published version's channels (unless channels is given)." }),
    channels: z.array(ChannelName).min(1).max(6).optional(),
    category: CategoryName.optional(),
    priority: Priority.optional(),
  })
  .strict()
  .meta({ id: 'AudienceCountRequest' }) satisfies z.ZodType<DomainAudienceCountRequest>;

const ReasonCounts = z.record(z.string(), z.number().int());

export const AudienceCount = z
  .object({
    users: z.number().int().meta({ description: 'Distinct users the selectors match.' }),
    usersReached: z.number().int().meta({ description: 'Users with at least one delivery that would be sent (now or after quiet hours).' }),
    channels: z.record(
      z.string(),
      z.object({ send: z.number().int(), deferred: z.number().int().meta({ description: 'Included in send: would wait for quiet hours to end.' }), suppressed: ReasonCounts }),
    ),
    suppressed: ReasonCounts.meta({ description: 'Deliveries policy would suppress, by reason, over all channels.' }),
    category: z.string(),
    evaluatedAt: z.string(),
  })
  .meta({ id: 'AudienceCount' });

export const ImportReport = z
  .object({
    lines: z.number().int(),
    imported: z.number().int(),
    failed: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), id: z.string().optional(), message: z.string() })),
    errorsTruncated: z.boolean(),
    ms: z.number().int(),
  })
  .meta({ id: 'UserImportReport' });

export const PreferenceStatsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  interval: z.enum(['hour', 'day', 'week']).default('day'),
});

export const PreferenceStats = z
  .object({
    from: z.string(),
    to: z.string(),
    interval: z.string(),
    series: z.array(z.object({ bucket: z.string(), category: z.string(), channel: z.string(), optOuts: z.number().int(), optIns: z.number().int() })),
    current: z.array(z.object({ category: z.string(), channel: z.string(), optedOut: z.number().int(), users: z.number().int(), rate: z.number() })),
  })
  .meta({ id: 'PreferenceStats' });
