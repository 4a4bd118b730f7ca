// What a firing of a recurring schedule and the close of a digest window turn into: one
// notification each, exactly once (the firing's workflow id, or the digest flush, is the
// idempotency key). A rule the stored body now breaks (template unpublished, user deleted)
// skips that one firing with the reason; the schedule or digest keeps running.
import type { Channel } from '../../channels/types.js';
import type { Priority } from '../../common/priorities.js';
import { recordDecision } from '../../schema/queries/orchestration.js';
import { findSchedule, insertScheduleFiring } from '../../schema/queries/schedules.js';
import { inTransaction } from '../../schema/database.js';
import type { Actor } from '../actor.js';
import { decidedEvent, emitNotificationEvents } from '../events/notification-events.js';
import { DomainError } from '../errors.js';
import { acceptNotification, type AcceptDeps } from '../notifications/accept.js';
import type { AcceptRequest } from '../notifications/request.js';
import { notificationRunOf, type NotificationRun } from '../runs/definitions.js';
import type { VariableValidator } from '../templates/variables.js';
import { approvalOfCurrentVersion } from './approval.js';

export interface FiringDeps extends AcceptDeps {
  variables: VariableValidator;
}

export interface FiringInput {
  tenantId: string;
  scheduleId: string;
  /** The firing's workflow id: unique per scheduled time. */
  firingId: string;
}

/**
 * The notification created, as its run starts from it (domain/runs/definitions.ts
 * notificationStart), or why none was. `approval`: the bulk send's schedule version is
 * approved already, and the run gets this decision (recorded on the row) instead of asking.
 */
export type FiringResult = { ok: true; run: NotificationRun; approval?: { by: string; comment: string } } | { ok: false; reason: string };

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

async function acceptOrSkip(deps: FiringDeps, actor: Actor, req: AcceptRequest): Promise<FiringResult> {
  try {
    const { row } = await acceptNotification(deps, actor, deps.variables, req);
    return { ok: true, run: notificationRunOf(row) };
  } catch (err) {
    // An outage is retried by the caller; only a broken rule skips the firing.
    if (err instanceof DomainError && err.kind !== 'unavailable') return { ok: false, reason: `${err.code}: ${err.message}` };
    throw err;
  }
}

export async function acceptScheduleFiring(deps: FiringDeps, { tenantId, scheduleId, firingId }: FiringInput): Promise<FiringResult> {
  const schedule = await findSchedule(deps.db, tenantId, scheduleId);
  if (!schedule) return { ok: false, reason: `schedule ${scheduleId} no longer exists` };
  // Stored by the API after it validated the body as a scheduled notification.
  const { ttlSeconds, ...body } = schedule.body as unknown as AcceptRequest & { ttlSeconds?: number };
  const expiresAt = ttlSeconds ? { expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() } : {};
  const fired = await acceptOrSkip(deps, { tenantId, keyId: schedule.created_by }, { ...body, idempotencyKey: `schedule:${firingId}`, ...expiresAt });
  if (!fired.ok || fired.run.kind !== 'bulk') return fired;
  await insertScheduleFiring(deps.db, { notificationId: fired.run.notificationId, tenantId, scheduleId, version: schedule.version });
  const approval = approvalOfCurrentVersion(schedule);
  if (!approval) return fired;
  // A retried activity finds the decision recorded already; the run keeps the first it hears.
  await inTransaction(deps.db, async (tx) => {
    await recordDecision(tx, tenantId, fired.run.notificationId, { approved: true, by: approval.by, comment: approval.comment });
    await emitNotificationEvents(tx, tenantId, [decidedEvent({ id: fired.run.notificationId }, { approved: true, by: approval.by, comment: approval.comment })]);
  });
  return { ...fired, approval };
}

/** The digest message: the template gets `events` (each event's data and time), `count` and `key`. */
export async function acceptDigestFlush(deps: FiringDeps, input: DigestFlushInput): Promise<FiringResult> {
  return acceptOrSkip(deps, { tenantId: input.tenantId, keyId: 'digest' }, {
    template: input.template,
    to: { userIds: [input.userId] },
    data: { key: input.key, count: input.events.length + input.overflow, events: input.events.map((e) => ({ ...e.data, at: e.at })) },
    ...(input.channels ? { channels: input.channels } : {}),
    ...(input.priority ? { priority: input.priority } : {}),
    idempotencyKey: input.idempotencyKey,
  });
}
