import type { ColumnType, Insertable } from 'kysely';

/** One notification of a category let through to a user: what frequency caps count. */
export interface FrequencySlotsTable {
  tenant_id: string;
  user_id: string;
  category: string;
  notification_id: string;
  at: ColumnType<Date, Date | undefined, never>;
}

export type NewFrequencySlot = Insertable<FrequencySlotsTable>;
