import type { ColumnType, Insertable, Selectable } from 'kysely';

/** A user's own on/off for a category on a channel (`*` = every channel of the category). */
export interface PreferencesTable {
  tenant_id: string;
  user_id: string;
  category: string;
  channel: string;
  enabled: boolean;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type PreferenceRow = Selectable<PreferencesTable>;
export type NewPreference = Insertable<PreferencesTable>;
