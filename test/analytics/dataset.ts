// A known data set and a reference computation of what any analytics store must answer.
import type { DeliveryEvent, DeliveryEventType } from '../../analytics/events.js';
import { DELIVERY_EVENT_TYPES } from '../../analytics/events.js';
import type { EventCounts, SummaryGroupBy, SummaryInterval } from '../../analytics/store.js';
import type { Channel } from '../../channels/types.js';

export const T0 = new Date('2026-03-10T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const HOUR = 60 * MIN;

let seq = 0;
export function event(tenantId: string, type: DeliveryEventType, when: Date, over: Partial<DeliveryEvent> = {}): DeliveryEvent {
  seq += 1;
  const n = String(seq).padStart(6, '0');
  return {
    eventId: `${tenantId}:ev-${n}`,
    type,
    at: when,
    tenantId,
    notificationId: `ntf-${Math.floor(seq / 10)}`,
    deliveryId: `dlv-${n}`,
    userId: `user-${seq % 7}`,
    templateKey: 'welcome',
    templateVersion: 3,
    channel: 'email',
    provider: 'smtp-a',
    priority: 'medium',
    category: 'account',
    module: null,
    createdToSentMs: null,
    sentToDeliveredMs: null,
    errorCode: null,
    errorReason: null,
    ...over,
  };
}

/** Tenant A's events: sent latencies 1..100 ms on day 1, a spread of other types, two days. */
export function datasetA(tenantId: string): DeliveryEvent[] {
  const out: DeliveryEvent[] = [];
  // Recorded in a scrambled order, so nothing relies on insertion order.
  const order = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
  for (const i of order) {
    const channel: Channel = i % 2 === 0 ? 'email' : 'sms';
    const provider = channel === 'email' ? 'smtp-a' : 'twilio';
    out.push(event(tenantId, 'queued', at(i * 30_000), { channel, provider: null }));
    out.push(event(tenantId, 'sent', at(i * 30_000 + 5000), { channel, provider, createdToSentMs: i, priority: i <= 20 ? 'high' : 'medium' }));
  }
  for (let i = 0; i < 40; i += 1) {
    out.push(event(tenantId, 'delivered', at(2 * HOUR + i * MIN), { sentToDeliveredMs: 1000 + i }));
  }
  for (let i = 0; i < 10; i += 1) {
    out.push(event(tenantId, 'failed', at(26 * HOUR + i * MIN), { channel: 'sms', provider: 'twilio', errorCode: 'EPROVIDER', errorReason: 'rejected' }));
  }
  const others: DeliveryEventType[] = ['deferred', 'bounced', 'opened', 'clicked', 'suppressed', 'expired', 'recalled'];
  others.forEach((t, k) => {
    for (let j = 0; j <= k; j += 1) {
      out.push(event(tenantId, t, at(3 * HOUR + (k * 10 + j) * MIN), { channel: 'push', provider: t === 'suppressed' ? null : 'fcm', module: 'crm' }));
    }
  });
  // A sent event with a latency on day 2 too, so day buckets have different distributions.
  out.push(event(tenantId, 'sent', at(27 * HOUR), { createdToSentMs: 5000, channel: 'webhook', provider: 'hook' }));
  return out;
}

export const RANGE = { from: T0, to: new Date(T0.getTime() + 48 * HOUR) };
/** Outside RANGE: must never be counted. */
export function outsideRange(tenantId: string): DeliveryEvent[] {
  return [
    event(tenantId, 'sent', new Date(T0.getTime() - 1000), { createdToSentMs: 99_999 }),
    event(tenantId, 'sent', RANGE.to, { createdToSentMs: 99_999 }),
  ];
}

export type PercentileDefinition = 'interpolated' | 'exact-rank';

/** percentile_cont (linear interpolation) or ClickHouse's quantileExact (element at floor(level × n)). */
export function percentile(sorted: readonly number[], level: number, def: PercentileDefinition): number | null {
  if (sorted.length === 0) return null;
  if (def === 'exact-rank') return sorted[Math.min(sorted.length - 1, Math.floor(level * sorted.length))] ?? null;
  const pos = level * (sorted.length - 1);
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (pos - lo) * (b - a);
}

export interface ExpectedBucket {
  start: number;
  group: string | null;
  counts: EventCounts;
  latencies: number[];
}

const GROUP_FIELD: Record<SummaryGroupBy, (e: DeliveryEvent) => string | null> = {
  channel: (e) => e.channel,
  priority: (e) => e.priority,
  provider: (e) => e.provider,
  template: (e) => e.templateKey,
  status: (e) => e.type,
};

/** What a store must answer, computed from the unique events (by id) in [from, to). */
export function expectedBuckets(events: readonly DeliveryEvent[], from: Date, to: Date, interval: SummaryInterval, groupBy?: SummaryGroupBy): ExpectedBucket[] {
  const unique = new Map<string, DeliveryEvent>();
  for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
  const size = interval === 'hour' ? HOUR : 24 * HOUR;
  const map = new Map<string, ExpectedBucket>();
  for (const e of unique.values()) {
    // Stored at whole seconds (ClickHouse DateTime); the data set only uses whole seconds.
    const t = e.at.getTime();
    if (t < from.getTime() || t >= to.getTime()) continue;
    const start = Math.floor(t / size) * size;
    const group = groupBy ? GROUP_FIELD[groupBy](e) : null;
    const key = `${start}|${group}`;
    let b = map.get(key);
    if (!b) {
      b = { start, group, counts: Object.fromEntries(DELIVERY_EVENT_TYPES.map((x) => [x, 0])) as EventCounts, latencies: [] };
      map.set(key, b);
    }
    b.counts[e.type] += 1;
    if (e.type === 'sent' && e.createdToSentMs !== null) b.latencies.push(e.createdToSentMs);
  }
  return [...map.values()]
    .map((b) => ({ ...b, latencies: b.latencies.sort((x, y) => x - y) }))
    .sort((a, b) => a.start - b.start || (a.group === b.group ? 0 : a.group === null ? -1 : b.group === null ? 1 : a.group < b.group ? -1 : 1));
}
