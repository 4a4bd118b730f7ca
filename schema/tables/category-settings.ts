import type { ColumnType, Insertable, JSONColumnType, Selectable } from 'kysely';

/** A tenant's defaults for one preference category. Categories without a row use built-in defaults. */
export interface CategorySettingsTable {
  tenant_id: string;
  category: string;
  /** Channel (or `*`) → on/off when the user has said nothing. Missing = on. */
  channel_defaults: JSONColumnType<Record<string, boolean>>;
  /** Cannot be opted out of (e.g. security): preferences, unsubscribes and caps do not apply. */
  mandatory: ColumnType<boolean, boolean | undefined, boolean>;
  /** Delivered even during the user's quiet hours. */
  bypass_quiet_hours: ColumnType<boolean, boolean | undefined, boolean>;
  /** Tenant frequency cap: at most cap_max notifications of this category per window. */
  cap_max: number | null;
  cap_window_seconds: number | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type CategorySettingsRow = Selectable<CategorySettingsTable>;
export type NewCategorySettings = Insertable<CategorySettingsTable>;
