import type { ColumnType, Insertable, Selectable } from 'kysely';

/** A user group (a team, a department): a bulk audience selector. Id chosen by the client. */
export interface GroupsTable {
  tenant_id: string;
  id: string;
  name: string | null;
  description: string | null;
  /** `api`, `scim` or `ldap`: directory-managed groups are read-only through /v1/groups. */
  source: ColumnType<string, string | undefined, string>;
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface UserGroupsTable {
  tenant_id: string;
  group_id: string;
  user_id: string;
}

export type GroupRow = Selectable<GroupsTable>;
export type NewGroup = Insertable<GroupsTable>;
