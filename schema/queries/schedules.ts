import type { DbOrTx } from '../database.js';
import type { NewSchedule, ScheduleFiringRow, ScheduleRow } from '../tables/schedules.js';

export async function insertSchedule(db: DbOrTx, s: NewSchedule): Promise<ScheduleRow | undefined> {
  return db.insertInto('schedules').values(s).onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing()).returningAll().executeTakeFirst();
}

export async function findSchedule(db: DbOrTx, tenantId: string, id: string): Promise<ScheduleRow | undefined> {
  return db.selectFrom('schedules').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function listSchedules(db: DbOrTx, tenantId: string, page: { limit: number; after?: string | undefined }): Promise<ScheduleRow[]> {
  let q = db.selectFrom('schedules').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit);
  if (page.after) q = q.where('id', '>', page.after);
  return q.execute();
}

export async function setSchedulePaused(db: DbOrTx, tenantId: string, id: string, paused: boolean): Promise<ScheduleRow | undefined> {
  return db.updateTable('schedules').set({ paused, updated_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteSchedule(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('schedules').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A new version of what the schedule sends: the approval of the one before no longer covers it. */
export async function updateScheduleBody(db: DbOrTx, tenantId: string, id: string, body: string): Promise<ScheduleRow | undefined> {
  return db
    .updateTable('schedules')
    .set((eb) => ({ body, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Approves `version` if it is still the schedule's version; undefined otherwise. */
export async function approveScheduleVersion(db: DbOrTx, tenantId: string, id: string, version: number, by: string): Promise<ScheduleRow | undefined> {
  return db
    .updateTable('schedules')
    .set({ approved_version: version, approved_by: by, approved_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

export async function insertScheduleFiring(db: DbOrTx, f: { notificationId: string; tenantId: string; scheduleId: string; version: number }): Promise<void> {
  await db
    .insertInto('schedule_firings')
    .values({ notification_id: f.notificationId, tenant_id: f.tenantId, schedule_id: f.scheduleId, schedule_version: f.version })
    .onConflict((oc) => oc.column('notification_id').doNothing())
    .execute();
}

export async function findScheduleFiring(db: DbOrTx, tenantId: string, notificationId: string): Promise<ScheduleFiringRow | undefined> {
  return db.selectFrom('schedule_firings').selectAll().where('tenant_id', '=', tenantId).where('notification_id', '=', notificationId).executeTakeFirst();
}
