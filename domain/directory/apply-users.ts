// A directory sync's users, applied a page per step (so a worker killed mid-sync resumes at
// the next page), each page with its record of what changed.
import { findUsersByIds, recordChanges, setSyncPhase, stagedPage, upsertLdapUsers, type DirectoryUserFields, type NewChange, type StagedEntry } from '../../schema/queries/directory.js';
import type { Heartbeat } from '../heartbeat.js';
import type { DirectoryDeps } from './deps.js';
import { directoryConfigOf } from './ldap-client.js';
import type { SyncRef } from './staging.js';

export interface UsersPageInput extends SyncRef {
  after: string | null;
}

const USER_FIELDS = ['name', 'email', 'phone', 'locale', 'timezone'] as const;

type ExistingUser = Awaited<ReturnType<typeof findUsersByIds>>[number];

/** One page of staged users applied in one transaction, with its changes. */
export async function applyDirectoryUsersPage(deps: DirectoryDeps, input: UsersPageInput, heartbeat: Heartbeat): Promise<{ next: string | null; applied: number }> {
  const config = await directoryConfigOf(deps, input.tenantId);
  const page = await stagedPage(deps.db, input.syncId, 'user', input.after, config.settings.pageSize);
  if (page.length === 0) return { next: null, applied: 0 };
  heartbeat({ after: input.after });
  await deps.db.transaction().execute(async (tx) => {
    const existing = new Map((await findUsersByIds(tx, input.tenantId, page.map((p) => p.key))).map((u) => [u.id, u]));
    heartbeat({ after: input.after });
    const { writes, changes } = userChanges(page, existing);
    await upsertLdapUsers(tx, input.tenantId, writes);
    await recordChanges(tx, input.syncId, changes);
    await setSyncPhase(tx, input.syncId, 'users', { pageApplied: true });
  });
  return { next: page.length < config.settings.pageSize ? null : (page.at(-1)?.key ?? null), applied: page.length };
}

/** What a page changes: rows to write, and the change records that explain them. */
function userChanges(page: readonly StagedEntry[], existing: ReadonlyMap<string, ExistingUser>): { writes: DirectoryUserFields[]; changes: NewChange[] } {
  const writes: DirectoryUserFields[] = [];
  const changes: NewChange[] = [];
  for (const entry of page) {
    const wanted = { id: entry.key, dn: entry.dn, ...Object.fromEntries(USER_FIELDS.map((f) => [f, entry.data[f]])) } as DirectoryUserFields;
    const row = existing.get(entry.key);
    if (!row) {
      writes.push(wanted);
      changes.push({ kind: 'user_created', userId: entry.key, detail: { dn: entry.dn } });
      continue;
    }
    if (row.source !== 'ldap') {
      // The id belongs to a user another source manages: the directory does not take it over.
      changes.push({ kind: 'user_conflict', userId: entry.key, detail: { dn: entry.dn, source: row.source } });
      continue;
    }
    const fields: Record<string, { from: unknown; to: unknown }> = {};
    for (const f of USER_FIELDS) if (row[f] !== wanted[f]) fields[f] = { from: row[f], to: wanted[f] };
    if (row.external_id !== entry.dn) fields.dn = { from: row.external_id, to: entry.dn };
    if (Object.keys(fields).length > 0) changes.push({ kind: 'user_updated', userId: entry.key, detail: { fields } });
    if (!row.active) changes.push({ kind: 'user_reactivated', userId: entry.key, detail: { previousReason: row.deactivated_reason } });
    if (Object.keys(fields).length > 0 || !row.active) writes.push(wanted);
  }
  return { writes, changes };
}
