import type { ColumnType, Insertable, JSONColumnType, Selectable } from 'kysely';

/** Which LDAP attribute feeds which Herald field. */
export interface DirectoryAttributeMap {
  /** The Herald user id (e.g. `uid`, or `sAMAccountName` on Active Directory). */
  id: string;
  name: string;
  email: string;
  phone: string;
  locale: string;
  timezone: string | null;
  /**
   * On users and groups: the DNs of their groups (Active Directory; OpenLDAP with the memberof
   * overlay). Groups named there that the group search did not return are read one by one.
   */
  memberOf: string | null;
  /** The Herald group id. */
  groupId: string;
  groupName: string;
  /** On the group: member DNs, users or nested groups. */
  groupMember: string;
}

export interface DirectorySettings {
  baseDn: string;
  userBaseDn: string | null;
  groupBaseDn: string | null;
  userFilter: string;
  groupFilter: string;
  attributes: DirectoryAttributeMap;
  pageSize: number;
  /** For ldaps:// to servers with a private CA in development; default true. */
  tlsRejectUnauthorized: boolean;
  /** How the connection is secured; saved from the request, or from the URL's scheme when the request names none. */
  tlsMode: DirectoryTlsMode;
  /** PEM certificate(s) of the CA(s) to trust for the server's certificate, besides Node's bundled roots. */
  caCertificate: string | null;
  /** False: no subtree search for groups; they come only from `memberOf` (Active Directory style). */
  groupSearch: boolean;
}

/** `starttls`: upgrade an ldap:// connection before the bind (RFC 4511 §4.14); `ldaps`: TLS from the first byte. */
export type DirectoryTlsMode = 'none' | 'starttls' | 'ldaps';

export interface DirectorySchedule {
  cron: string | null;
  everySeconds: number | null;
  timezone: string;
  paused: boolean;
}

export interface DirectoryConfigsTable {
  tenant_id: string;
  url: string;
  bind_dn: string;
  /** AES-256-GCM (common/secret-box.ts); never returned by the API. */
  bind_secret_sealed: string;
  settings: JSONColumnType<DirectorySettings>;
  schedule: JSONColumnType<DirectorySchedule | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type DirectoryConfigRow = Selectable<DirectoryConfigsTable>;
export type NewDirectoryConfig = Insertable<DirectoryConfigsTable>;

export interface DirectorySyncReport {
  entries: { users: number; groups: number };
  users: { created: number; updated: number; deactivated: number; reactivated: number; unchanged: number; conflicts: number };
  groups: { created: number; updated: number; removed: number };
  memberships: { added: number; removed: number };
  durationMs: number;
}

export interface DirectorySyncsTable {
  id: string;
  tenant_id: string;
  /** `manual` (API) | `schedule` (the tenant's Temporal Schedule). */
  trigger: string;
  /** `running` | `completed` | `failed`. */
  status: string;
  /** `staging` | `users` | `groups` | `deactivating` | `done`. */
  phase: string;
  workflow_id: string;
  pages_applied: ColumnType<number, number | undefined, number>;
  report: ColumnType<DirectorySyncReport | null, string | undefined, string>;
  error: string | null;
  started_at: ColumnType<Date, Date | undefined, never>;
  finished_at: Date | null;
}
export type DirectorySyncRow = Selectable<DirectorySyncsTable>;

export interface DirectoryEntryData {
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  /** Group DNs from the user's memberOf, normalised. */
  memberOf: string[];
  /** Member DNs of a group, normalised. */
  members: string[];
}

export interface DirectorySyncEntriesTable {
  sync_id: string;
  /** `user` | `group`. */
  kind: string;
  /** The Herald id the entry maps to. */
  key: string;
  /** Normalised DN. */
  dn: string;
  data: JSONColumnType<DirectoryEntryData>;
}

export type DirectoryChangeKind =
  | 'user_created'
  | 'user_updated'
  | 'user_deactivated'
  | 'user_reactivated'
  | 'user_conflict'
  | 'group_created'
  | 'group_updated'
  | 'group_removed'
  | 'group_conflict'
  | 'membership_added'
  | 'membership_removed';

export interface DirectorySyncChangesTable {
  sync_id: string;
  seq: ColumnType<string, never, never>;
  key: string;
  kind: DirectoryChangeKind;
  user_id: string | null;
  group_id: string | null;
  detail: JSONColumnType<Record<string, unknown> | null>;
}
export type DirectorySyncChangeRow = Selectable<DirectorySyncChangesTable>;
