import type { ColumnType, Insertable, Selectable, JSONColumnType } from 'kysely';

export interface SchedulesTable {
  tenant_id: string;
  id: string;
  cron: string | null;
  every_seconds: number | null;
  timezone: string;
  /** `skip` | `buffer_one` | `allow_all`: what a firing does while the previous one runs. */
  overlap: string;
  /** The notification each firing sends (a POST /v1/notifications body without times). */
  body: JSONColumnType<Record<string, unknown>>;
  paused: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type ScheduleRow = Selectable<SchedulesTable>;
export type NewSchedule = Insertable<SchedulesTable>;
