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
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
