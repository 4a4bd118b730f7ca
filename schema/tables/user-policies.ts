import type { ColumnType, Insertable, JSONColumnType, Selectable } from 'kysely';

/** Local wall-clock window, `HH:MM` or `HH:MM:SS`; end before start wraps past midnight. */
export interface QuietHours {
  start: string;
  end: string;
  /** IANA zone; default the user's timezone, then the tenant's. */
  timezone?: string | undefined;
}

export interface FrequencyCap {
  /** A category, or `*` for every category together. */
  category: string;
  max: number;
  windowSeconds: number;
}

export interface UserPoliciesTable {
  tenant_id: string;
  user_id: string;
  quiet_hours: JSONColumnType<QuietHours | null, string | null, string | null>;
  frequency_caps: JSONColumnType<FrequencyCap[]>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type UserPolicyRow = Selectable<UserPoliciesTable>;
export type NewUserPolicy = Insertable<UserPoliciesTable>;
