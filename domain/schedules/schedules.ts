// Recurring sends: a stored notification body that must be sendable when it is saved
// (template published, data satisfying its variables), fired by a Temporal Schedule. The
// row and the schedule exist together or not at all; every change is audited. Editing the
// notification makes a new version (a bulk send's approval covers one: ./approval.ts).
import type { DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { deleteSchedule, findSchedule, insertSchedule, setSchedulePaused, updateScheduleBody } from '../../schema/queries/schedules.js';
import type { ScheduleRow } from '../../schema/tables/schedules.js';
import type { Actor } from '../actor.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import { resolveTemplate, type AcceptDeps } from '../notifications/accept.js';
import type { AcceptRequest } from '../notifications/request.js';
import type { OverlapPolicy, Runs } from '../runs/runs.js';
import type { VariableValidator } from '../templates/variables.js';

/** What each firing sends; its notification expires `ttlSeconds` after the firing. */
export type ScheduledNotification = Omit<AcceptRequest, 'sendAt' | 'expiresAt' | 'idempotencyKey'> & { ttlSeconds?: number | undefined };

export interface ScheduleDefinition {
  id: string;
  /** Exactly one of cron and everySeconds. */
  cron?: string | undefined;
  everySeconds?: number | undefined;
  timezone: string;
  overlap: OverlapPolicy;
  paused: boolean;
  notification: ScheduledNotification;
}

export interface ScheduleDeps extends AcceptDeps {
  runs: Pick<Runs, 'createScheduledSend' | 'pauseScheduledSend' | 'deleteScheduledSend'>;
}

export async function loadSchedule(db: DbOrTx, tenantId: string, id: string): Promise<ScheduleRow> {
  const row = await findSchedule(db, tenantId, id);
  if (!row) throw notFound('schedule');
  return row;
}

/** What a schedule sends must be sendable when it is saved: template published, data satisfying its variables. */
async function requireSendable(deps: AcceptDeps, variables: VariableValidator, tenantId: string, n: ScheduledNotification): Promise<void> {
  const version = await resolveTemplate(deps, tenantId, n);
  const issues = variables.validate(version.content.variables, n.data);
  if (issues.length > 0) throw unprocessable('invalid_data', `notification data does not satisfy the variables of ${n.template}`, issues);
}

export async function createSchedule(deps: ScheduleDeps, variables: VariableValidator, auth: Actor, body: ScheduleDefinition): Promise<ScheduleRow> {
  const { runs } = deps;
  const n = body.notification;
  await requireSendable(deps, variables, auth.tenantId, n);
  const row = await insertSchedule(deps.db, {
    tenant_id: auth.tenantId,
    id: body.id,
    cron: body.cron ?? null,
    every_seconds: body.everySeconds ?? null,
    timezone: body.timezone,
    overlap: body.overlap,
    body: JSON.stringify(n),
    paused: body.paused,
    created_by: auth.keyId,
  });
  if (!row) throw conflict('schedule_exists', `schedule ${body.id} already exists`);
  try {
    const when = { cron: body.cron ?? null, everySeconds: body.everySeconds ?? null, timezone: body.timezone, paused: body.paused };
    await runs.createScheduledSend(auth.tenantId, body.id, when, body.overlap);
  } catch (err) {
    // Temporal refused it (or is down): nothing is left behind.
    await deleteSchedule(deps.db, auth.tenantId, body.id);
    throw err;
  }
  await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'schedule.create', targetType: 'schedule', targetId: body.id });
  return row;
}

/** Replaces what the schedule sends: a new version, which a bulk send must have approved again. */
export async function editScheduleNotification(deps: ScheduleDeps, variables: VariableValidator, auth: Actor, id: string, n: ScheduledNotification): Promise<ScheduleRow> {
  await requireSendable(deps, variables, auth.tenantId, n);
  const row = await updateScheduleBody(deps.db, auth.tenantId, id, JSON.stringify(n));
  if (!row) throw notFound('schedule');
  await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'schedule.update', targetType: 'schedule', targetId: id, details: { version: row.version } });
  return row;
}

export async function pauseSchedule(deps: ScheduleDeps, auth: Actor, id: string, paused: boolean): Promise<ScheduleRow> {
  const { runs } = deps;
  const row = await setSchedulePaused(deps.db, auth.tenantId, id, paused);
  if (!row) throw notFound('schedule');
  await runs.pauseScheduledSend(auth.tenantId, id, paused, `${paused ? 'paused' : 'resumed'} by ${auth.keyId}`);
  await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: paused ? 'schedule.pause' : 'schedule.resume', targetType: 'schedule', targetId: id });
  return row;
}

/** Deletes the schedule; notifications it already created are kept. */
export async function removeSchedule(deps: ScheduleDeps, auth: Actor, id: string): Promise<void> {
  const { runs } = deps;
  await loadSchedule(deps.db, auth.tenantId, id);
  await runs.deleteScheduledSend(auth.tenantId, id);
  await deleteSchedule(deps.db, auth.tenantId, id);
  await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'schedule.delete', targetType: 'schedule', targetId: id });
}
