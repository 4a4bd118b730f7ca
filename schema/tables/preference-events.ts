import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Every opt-out/opt-in as it happened: the source of preference statistics over time. */
export interface PreferenceEventsTable {
  id: Generated<string>;
  tenant_id: string;
  user_id: string;
  category: string;
  /** A channel, or `*` for an unsubscribe of the whole category. */
  channel: string;
  action: 'opt_out' | 'opt_in';
  /** `api`, `unsubscribe_page`, `one_click`, `import`. */
  source: string;
  at: ColumnType<Date, Date | undefined, never>;
}

export type PreferenceEventRow = Selectable<PreferenceEventsTable>;
export type NewPreferenceEvent = Insertable<PreferenceEventsTable>;
