// A recurring bulk send is approved once per version of what it sends: approving one of its
// firings, or the schedule itself, covers every later firing of that version; an edit of the
// notification makes a new version, which asks again. Maker-checker as for every bulk send:
// not by the key that created the schedule.
import type { Db, DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { approveScheduleVersion, findScheduleFiring } from '../../schema/queries/schedules.js';
import type { ScheduleRow } from '../../schema/tables/schedules.js';
import type { Actor } from '../actor.js';
import { conflict, forbidden } from '../errors.js';
import { loadSchedule } from './schedules.js';

/** Approves the schedule's current version. */
export async function approveSchedule(db: Db, actor: Actor, id: string): Promise<ScheduleRow> {
  const row = await loadSchedule(db, actor.tenantId, id);
  if (row.created_by === actor.keyId) throw forbidden('creator_cannot_approve', 'the key that created a schedule cannot approve it');
  return db.transaction().execute(async (tx) => {
    const approved = await approveScheduleVersion(tx, actor.tenantId, id, row.version, actor.keyId);
    if (!approved) throw conflict('schedule_changed', 'the schedule was edited meanwhile: approve its new version');
    await appendAudit(tx, { tenantId: actor.tenantId, actor: actor.keyId, action: 'schedule.approve', targetType: 'schedule', targetId: id, details: { version: row.version } });
    return approved;
  });
}

/** An approved firing approves the schedule version it was made from (if that is still the schedule's version). */
export async function approveFiringSchedule(tx: DbOrTx, tenantId: string, notificationId: string, by: string): Promise<void> {
  const firing = await findScheduleFiring(tx, tenantId, notificationId);
  if (firing) await approveScheduleVersion(tx, tenantId, firing.schedule_id, firing.schedule_version, by);
}

/** The approval that covers a firing of the schedule as it is now, if any. */
export function approvalOfCurrentVersion(s: ScheduleRow): { by: string; comment: string } | undefined {
  if (s.approved_version !== s.version || !s.approved_by) return undefined;
  return { by: s.approved_by, comment: `approved with version ${s.version} of schedule ${s.id}` };
}
