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
  /** Bumped by every edit of what the schedule sends; an approval covers one version. */
  version: ColumnType<number, number | undefined, number>;
  /** The version an approver approved (every firing of it goes out without asking again), by whom and when. */
  approved_version: ColumnType<number | null, number | null | undefined, number | null>;
  approved_by: ColumnType<string | null, string | null | undefined, string | null>;
  approved_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type ScheduleRow = Selectable<SchedulesTable>;
export type NewSchedule = Insertable<SchedulesTable>;

/** The schedule version a firing's notification was made from. */
export interface ScheduleFiringsTable {
  notification_id: string;
  tenant_id: string;
  schedule_id: string;
  schedule_version: number;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type ScheduleFiringRow = Selectable<ScheduleFiringsTable>;
