// The Messages filters live in the URL, so a filtered list can be bookmarked and shared.
import { CHANNELS, NOTIFICATION_STATUSES, PRIORITIES, type NotificationFilter } from '../../api/types';

export const FILTER_FIELDS = ['from', 'to', 'priority', 'status', 'channel', 'category', 'template', 'group', 'module', 'userId', 'q'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterValues = Record<FilterField, string>;

export function filtersFromParams(params: URLSearchParams): FilterValues {
  return Object.fromEntries(FILTER_FIELDS.map((f) => [f, params.get(f) ?? ''])) as FilterValues;
}

export function filtersToParams(values: FilterValues): URLSearchParams {
  const params = new URLSearchParams();
  for (const f of FILTER_FIELDS) if (values[f].trim() !== '') params.set(f, values[f].trim());
  return params;
}

/** Dates are picked as local calendar days; the API wants an instant range [from, to). */
function startOfLocalDay(date: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

/** `value` when it is one of `allowed`: a hand-edited URL cannot put an unknown value in the query. */
function oneOf<T extends string>(allowed: readonly T[], value: string): T | undefined {
  return (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

export function toApiFilter(values: FilterValues): NotificationFilter {
  const f: NotificationFilter = {};
  const priority = oneOf(PRIORITIES, values.priority.trim());
  const status = oneOf(NOTIFICATION_STATUSES, values.status.trim());
  const channel = oneOf(CHANNELS, values.channel.trim());
  if (priority) f.priority = priority;
  if (status) f.status = status;
  if (channel) f.channel = channel;
  for (const k of ['category', 'template', 'group', 'module', 'userId', 'q'] as const) {
    if (values[k].trim() !== '') f[k] = values[k].trim();
  }
  const from = startOfLocalDay(values.from);
  const to = startOfLocalDay(values.to, 1);
  if (from) f.from = from;
  if (to) f.to = to;
  return f;
}
