// A firing of a recurring schedule: turn its stored body into a notification, exactly
// once per firing (the firing's workflow id is the idempotency key).
import type { Channel } from '../channels/types.js';
import type { Priority } from '../common/priorities.js';
import { DomainError } from '../domain/errors.js';
import { acceptNotification } from '../domain/notifications/accept.js';
import type { AcceptRequest } from '../domain/notifications/request.js';
import { notificationRunOf, type NotificationRun } from '../domain/runs/definitions.js';
import { findSchedule } from '../schema/queries/schedules.js';
import type { ActivityDeps } from './deps.js';

export interface FiringInput {
  tenantId: string;
  scheduleId: string;
  /** The firing's workflow id: unique per scheduled time. */
  firingId: string;
}

/** The notification created, as its run starts from it (domain/runs/definitions.ts notificationStart), or why none was. */
export type FiringResult = { ok: true; run: NotificationRun } | { ok: false; reason: string };

export function createScheduleActivities(deps: ActivityDeps) {
  return {
    async acceptScheduledNotification({ tenantId, scheduleId, firingId }: FiringInput): Promise<FiringResult> {
      const schedule = await findSchedule(deps.db, tenantId, scheduleId);
      if (!schedule) return { ok: false, reason: `schedule ${scheduleId} no longer exists` };
      // Stored by the API after it validated the body as a scheduled notification.
      const { ttlSeconds, ...body } = schedule.body as unknown as AcceptRequest & { ttlSeconds?: number };
      const now = Date.now();
      try {
        const { row } = await acceptNotification(
          deps,
          { tenantId, keyId: schedule.created_by },
          deps.variables,
          { ...body, idempotencyKey: `schedule:${firingId}`, ...(ttlSeconds ? { expiresAt: new Date(now + ttlSeconds * 1000).toISOString() } : {}) },
        );
        return { ok: true, run: notificationRunOf(row) };
      } catch (err) {
        // A rule the stored body now breaks (template unpublished, user deleted) skips this
        // firing with the reason; the schedule keeps running.
        if (err instanceof DomainError && err.kind !== 'unavailable') return { ok: false, reason: `${err.code}: ${err.message}` };
        throw err;
      }
    },
  };
}

export interface DigestFlushInput {
  tenantId: string;
  userId: string;
  key: string;
  template: string;
  channels: Channel[] | null;
  priority: Priority | null;
  events: Array<{ data: Record<string, unknown>; at: string }>;
  overflow: number;
  idempotencyKey: string;
}

export function createDigestActivities(deps: ActivityDeps) {
  return {
    /** The digest message: the template gets `events` (each event's data and time), `count` and `key`. */
    async acceptDigestNotification(input: DigestFlushInput): Promise<FiringResult> {
      try {
        const { row } = await acceptNotification(deps, { tenantId: input.tenantId, keyId: 'digest' }, deps.variables, {
          template: input.template,
          to: { userIds: [input.userId] },
          data: { key: input.key, count: input.events.length + input.overflow, events: input.events.map((e) => ({ ...e.data, at: e.at })) },
          ...(input.channels ? { channels: input.channels } : {}),
          ...(input.priority ? { priority: input.priority } : {}),
          idempotencyKey: input.idempotencyKey,
        });
        return { ok: true, run: notificationRunOf(row) };
      } catch (err) {
        if (err instanceof DomainError && err.kind !== 'unavailable') return { ok: false, reason: `${err.code}: ${err.message}` };
        throw err;
      }
    },
  };
}
