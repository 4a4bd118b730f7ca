import type { ColumnType, Insertable, Selectable, JSONColumnType } from 'kysely';

export interface UsersTable {
  tenant_id: string;
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  identities: JSONColumnType<Record<string, unknown>>;
  attributes: JSONColumnType<Record<string, unknown>>;
  /** Who manages the row: `api` (the users API), `scim` (an identity provider), `ldap` (directory sync). */
  source: ColumnType<UserSource, UserSource | undefined, UserSource>;
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** SCIM userName (unique per tenant, case-insensitive, among SCIM users). */
  user_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** False: every delivery to the user is suppressed (`user_inactive`); the row and its history stay. */
  active: ColumnType<boolean, boolean | undefined, boolean>;
  deactivated_reason: ColumnType<string | null, string | null | undefined, string | null>;
  directory_data: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** Values a directory sent that Herald does not use (kept as sent in directory_data). */
  profile_warnings: ColumnType<ProfileWarning[], string | undefined, string>;
  /** Set for a recipient kept out of the directory (named inline, tenant setting `ephemeral`): deleted after it. */
  ephemeral_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export interface ProfileWarning {
  field: string;
  value: string;
  message: string;
}
export type UserSource = 'api' | 'scim' | 'ldap';
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
