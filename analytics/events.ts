// The analytics vocabulary: one event per state change of a delivery. Pure, so the
// workflow side may import the types and the constants.
import { CHANNELS, type Channel } from '../channels/types.js';
import { PRIORITIES, type Priority } from '../common/priorities.js';

export const DELIVERY_EVENT_TYPES = [
  'queued',
  'deferred',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'complained',
  'opened',
  'clicked',
  'read',
  'suppressed',
  'expired',
  'recalled',
] as const;
export type DeliveryEventType = (typeof DELIVERY_EVENT_TYPES)[number];

export interface DeliveryEvent {
  /**
   * Identifies the event for de-duplication: the same state change recorded twice (a
   * retried activity, a re-sent insert) must carry the same id, so derive it from the
   * delivery and the transition rather than generating it per attempt.
   */
  eventId: string;
  type: DeliveryEventType;
  at: Date;
  tenantId: string;
  notificationId: string;
  deliveryId: string;
  userId: string;
  templateKey: string;
  templateVersion: number;
  channel: Channel;
  /** Null before a provider is chosen (queued, deferred, suppressed). */
  provider: string | null;
  priority: Priority;
  category: string | null;
  module: string | null;
  /** Set on `sent`; only `sent` events count towards the latency percentiles. */
  createdToSentMs: number | null;
  /** Set on `delivered` when the provider reports a receipt. */
  sentToDeliveredMs: number | null;
  errorCode: string | null;
  errorReason: string | null;
}

export const MAX_ID_LENGTH = 256;
export const MAX_REASON_LENGTH = 2000;
/** Latencies are stored as unsigned 32-bit milliseconds (about 49 days). */
export const MAX_LATENCY_MS = 4_294_967_295;

export type EventCheck = { ok: true; event: DeliveryEvent } | { ok: false; reason: string };

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`${field} must be a non-empty string`);
  if (value.length > max) throw new Error(`${field} is longer than ${max}`);
  // PostgreSQL text cannot hold NUL; refusing it here keeps both stores' contents equal
  // and keeps one bad event from poisoning a whole batch insert.
  if (value.includes('\u0000')) throw new Error(`${field} contains NUL`);
  return value;
}

function optionalText(value: unknown, field: string, max: number, truncate = false): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (truncate && typeof value === 'string' && value.length > max) return text(value.slice(0, max), field, max);
  return text(value, field, max);
}

function latency(value: unknown, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${field} must be a number or null`);
  // Producers subtract timestamps taken on different hosts; a few ms of clock skew must
  // not cost the event, so negatives become 0 rather than a rejection.
  const ms = Math.round(Math.max(0, value));
  if (ms > MAX_LATENCY_MS) throw new Error(`${field} is out of range`);
  return ms;
}

/**
 * Validates and normalises an event before it is written. Stores call it so that an
 * insert batch only ever holds rows the database accepts.
 */
export function checkEvent(e: DeliveryEvent): EventCheck {
  try {
    if (!(DELIVERY_EVENT_TYPES as readonly unknown[]).includes(e.type)) throw new Error(`unknown event type ${String(e.type)}`);
    if (!(e.at instanceof Date) || Number.isNaN(e.at.getTime())) throw new Error('at must be a valid Date');
    // ClickHouse's DateTime covers 1970..2105; a timestamp outside it is a bug upstream.
    if (e.at.getTime() < 0 || e.at.getTime() >= Date.UTC(2105, 0, 1)) throw new Error('at is out of range');
    if (!(CHANNELS as readonly unknown[]).includes(e.channel)) throw new Error(`unknown channel ${String(e.channel)}`);
    if (!(PRIORITIES as readonly unknown[]).includes(e.priority)) throw new Error(`unknown priority ${String(e.priority)}`);
    if (!Number.isSafeInteger(e.templateVersion) || e.templateVersion < 0 || e.templateVersion > MAX_LATENCY_MS) {
      throw new Error('templateVersion must be a non-negative integer');
    }
    return {
      ok: true,
      event: {
        eventId: text(e.eventId, 'eventId', MAX_ID_LENGTH),
        type: e.type,
        at: e.at,
        tenantId: text(e.tenantId, 'tenantId', MAX_ID_LENGTH),
        notificationId: text(e.notificationId, 'notificationId', MAX_ID_LENGTH),
        deliveryId: text(e.deliveryId, 'deliveryId', MAX_ID_LENGTH),
        userId: text(e.userId, 'userId', MAX_ID_LENGTH),
        templateKey: text(e.templateKey, 'templateKey', MAX_ID_LENGTH),
        templateVersion: e.templateVersion,
        channel: e.channel,
        provider: optionalText(e.provider, 'provider', MAX_ID_LENGTH),
        priority: e.priority,
        category: optionalText(e.category, 'category', MAX_ID_LENGTH),
        module: optionalText(e.module, 'module', MAX_ID_LENGTH),
        createdToSentMs: latency(e.createdToSentMs, 'createdToSentMs'),
        sentToDeliveredMs: latency(e.sentToDeliveredMs, 'sentToDeliveredMs'),
        errorCode: optionalText(e.errorCode, 'errorCode', MAX_ID_LENGTH),
        errorReason: optionalText(e.errorReason, 'errorReason', MAX_REASON_LENGTH, true),
      },
    };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

export interface InvalidEvent {
  eventId: string | undefined;
  reason: string;
}

/** The rows of the events that pass checkEvent, and why each other one did not (it is never written). */
export function validRows<R>(events: readonly DeliveryEvent[], toRow: (e: DeliveryEvent) => R): { rows: R[]; invalid: InvalidEvent[] } {
  const rows: R[] = [];
  const invalid: InvalidEvent[] = [];
  for (const e of events) {
    const c = checkEvent(e);
    if (c.ok) rows.push(toRow(c.event));
    else invalid.push({ reason: c.reason, eventId: typeof e?.eventId === 'string' ? e.eventId : undefined });
  }
  return { rows, invalid };
}
