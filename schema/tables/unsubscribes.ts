import type { ColumnType, Insertable, Selectable } from 'kysely';

/** A user unsubscribed from a category (by link, one-click POST or the API). */
export interface UnsubscribesTable {
  tenant_id: string;
  user_id: string;
  category: string;
  source: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type UnsubscribeRow = Selectable<UnsubscribesTable>;
export type NewUnsubscribe = Insertable<UnsubscribesTable>;
