import type { DbOrTx } from '../database.js';
import type { NewSchedule, ScheduleRow } from '../tables/schedules.js';

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
