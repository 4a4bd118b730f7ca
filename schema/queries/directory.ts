// LDAP / Active Directory sync: the tenant's config, its syncs, what a sync staged from the
// directory, the users and groups it manages (`source = 'ldap'`), and the change log that
// becomes the sync's report.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type {
  DirectoryChangeKind,
  DirectoryConfigRow,
  DirectoryEntryData,
  DirectorySchedule,
  DirectorySettings,
  DirectorySyncChangeRow,
  DirectorySyncReport,
  DirectorySyncRow,
} from '../tables/directory.js';
import type { UserRow } from '../tables/users.js';

export async function upsertDirectoryConfig(
  db: DbOrTx,
  c: { tenantId: string; url: string; bindDn: string; bindSecretSealed: string; settings: DirectorySettings; schedule: DirectorySchedule | null },
): Promise<DirectoryConfigRow> {
  const values = { url: c.url, bind_dn: c.bindDn, bind_secret_sealed: c.bindSecretSealed, settings: JSON.stringify(c.settings), schedule: JSON.stringify(c.schedule) };
  return db
    .insertInto('directory_configs')
    .values({ tenant_id: c.tenantId, ...values })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...values, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findDirectoryConfig(db: DbOrTx, tenantId: string): Promise<DirectoryConfigRow | undefined> {
  return db.selectFrom('directory_configs').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

export async function deleteDirectoryConfig(db: DbOrTx, tenantId: string): Promise<boolean> {
  const r = await db.deleteFrom('directory_configs').where('tenant_id', '=', tenantId).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Inserts the sync unless a run of the same workflow already did (activity retries). */
export async function beginSync(db: DbOrTx, s: { id: string; tenantId: string; trigger: string; workflowId: string }): Promise<DirectorySyncRow> {
  await db
    .insertInto('directory_syncs')
    .values({ id: s.id, tenant_id: s.tenantId, trigger: s.trigger, status: 'running', phase: 'staging', workflow_id: s.workflowId, error: null, finished_at: null })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return db.selectFrom('directory_syncs').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
}

export async function findSync(db: DbOrTx, tenantId: string, id: string): Promise<DirectorySyncRow | undefined> {
  return db.selectFrom('directory_syncs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function findRunningSync(db: DbOrTx, tenantId: string): Promise<DirectorySyncRow | undefined> {
  return db.selectFrom('directory_syncs').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'running').orderBy('id', 'desc').executeTakeFirst();
}

/** Newest first; `before` is the last id of the previous page. */
export async function listSyncs(db: DbOrTx, tenantId: string, page: { limit: number; before?: string | undefined }): Promise<DirectorySyncRow[]> {
  let q = db.selectFrom('directory_syncs').selectAll().where('tenant_id', '=', tenantId).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(page.limit);
  if (page.before) {
    const before = page.before;
    q = q.where(({ eb, selectFrom }) => eb('started_at', '<', selectFrom('directory_syncs').select('started_at').where('id', '=', before)));
  }
  return q.execute();
}

export async function setSyncPhase(db: DbOrTx, syncId: string, phase: string, opts: { pageApplied?: boolean } = {}): Promise<void> {
  await db
    .updateTable('directory_syncs')
    .set((eb) => ({ phase, ...(opts.pageApplied ? { pages_applied: eb('pages_applied', '+', 1) } : {}) }))
    .where('id', '=', syncId)
    .execute();
}

export async function finishSync(db: DbOrTx, syncId: string, f: { status: 'completed' | 'failed'; report: DirectorySyncReport | null; error: string | null }): Promise<DirectorySyncRow | undefined> {
  return db
    .updateTable('directory_syncs')
    .set({ status: f.status, phase: 'done', report: JSON.stringify(f.report), error: f.error, finished_at: new Date() })
    .where('id', '=', syncId)
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
}

export interface StagedEntry {
  key: string;
  dn: string;
  data: DirectoryEntryData;
}

/** Idempotent: a search repeated after a crash writes the same rows again. */
export async function stageEntries(db: DbOrTx, syncId: string, kind: 'user' | 'group', entries: readonly StagedEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // One key twice in a page (two DNs mapping to one id) must not fail the statement: the last wins.
  const unique = [...new Map(entries.map((e) => [e.key, e])).values()];
  await db
    .insertInto('directory_sync_entries')
    .values(unique.map((e) => ({ sync_id: syncId, kind, key: e.key, dn: e.dn, data: JSON.stringify(e.data) })))
    .onConflict((oc) => oc.columns(['sync_id', 'kind', 'key']).doUpdateSet((eb) => ({ dn: eb.ref('excluded.dn'), data: eb.ref('excluded.data') })))
    .execute();
}

export async function clearStaged(db: DbOrTx, syncId: string, kind?: 'user' | 'group'): Promise<void> {
  let q = db.deleteFrom('directory_sync_entries').where('sync_id', '=', syncId);
  if (kind) q = q.where('kind', '=', kind);
  await q.execute();
}

export async function stagedPage(db: DbOrTx, syncId: string, kind: 'user' | 'group', after: string | null, limit: number): Promise<StagedEntry[]> {
  let q = db.selectFrom('directory_sync_entries').select(['key', 'dn', 'data']).where('sync_id', '=', syncId).where('kind', '=', kind).orderBy('key').limit(limit);
  if (after !== null) q = q.where('key', '>', after);
  return q.execute();
}

export async function countStaged(db: DbOrTx, syncId: string): Promise<{ users: number; groups: number }> {
  const rows = await db.selectFrom('directory_sync_entries').select(['kind', (eb) => eb.fn.countAll<string>().as('n')]).where('sync_id', '=', syncId).groupBy('kind').execute();
  const n = (k: string) => Number(rows.find((r) => r.kind === k)?.n ?? 0);
  return { users: n('user'), groups: n('group') };
}

export interface DirectoryUserFields {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  dn: string;
}

/** Creates or updates directory users (never a row another source manages), reactivating them. */
export async function upsertLdapUsers(db: DbOrTx, tenantId: string, users: readonly DirectoryUserFields[]): Promise<void> {
  if (users.length === 0) return;
  await db
    .insertInto('users')
    .values(
      users.map((u) => ({
        tenant_id: tenantId,
        id: u.id,
        name: u.name,
        email: u.email,
        phone: u.phone,
        locale: u.locale,
        timezone: u.timezone,
        identities: '{}',
        attributes: '{}',
        source: 'ldap' as const,
        external_id: u.dn,
        active: true,
        deactivated_reason: null,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'id'])
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          email: eb.ref('excluded.email'),
          phone: eb.ref('excluded.phone'),
          locale: eb.ref('excluded.locale'),
          timezone: eb.ref('excluded.timezone'),
          external_id: eb.ref('excluded.external_id'),
          active: true,
          deactivated_reason: null,
          updated_at: new Date(),
        }))
        .where('users.source', '=', 'ldap'),
    )
    .execute();
}

export async function findUsersByIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}

/** Directory users of the tenant that this sync did not see: deactivated, never deleted. */
export async function deactivateUnseenLdapUsers(db: DbOrTx, tenantId: string, syncId: string, reason: string): Promise<string[]> {
  const rows = await db
    .updateTable('users')
    .set({ active: false, deactivated_reason: reason, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('source', '=', 'ldap')
    .where('active', '=', true)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('directory_sync_entries as e').select('e.key').where('e.sync_id', '=', syncId).where('e.kind', '=', 'user').whereRef('e.key', '=', 'users.id'))),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Of these ids, the active directory users (the ones memberships may point at). */
export async function activeLdapUserIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('source', '=', 'ldap').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

export async function groupsByIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<{ id: string; name: string | null; source: string; external_id: string | null }[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('groups').select(['id', 'name', 'source', 'external_id']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}

export async function ldapGroupIds(db: DbOrTx, tenantId: string): Promise<string[]> {
  return (await db.selectFrom('groups').select('id').where('tenant_id', '=', tenantId).where('source', '=', 'ldap').execute()).map((r) => r.id);
}

export async function upsertLdapGroups(db: DbOrTx, tenantId: string, groups: readonly { id: string; name: string | null; dn: string }[]): Promise<void> {
  if (groups.length === 0) return;
  await db
    .insertInto('groups')
    .values(groups.map((g) => ({ tenant_id: tenantId, id: g.id, name: g.name, description: null, source: 'ldap', external_id: g.dn })))
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'id'])
        .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), external_id: eb.ref('excluded.external_id'), updated_at: new Date() }))
        .where('groups.source', '=', 'ldap'),
    )
    .execute();
}

export async function deleteLdapGroups(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('groups').where('tenant_id', '=', tenantId).where('source', '=', 'ldap').where('id', 'in', ids).execute();
}

/** Every (group, user) membership of the tenant's directory groups. */
export async function ldapMemberships(db: DbOrTx, tenantId: string): Promise<{ group_id: string; user_id: string }[]> {
  return db
    .selectFrom('user_groups as m')
    .innerJoin('groups as g', (j) => j.onRef('g.tenant_id', '=', 'm.tenant_id').onRef('g.id', '=', 'm.group_id'))
    .select(['m.group_id', 'm.user_id'])
    .where('m.tenant_id', '=', tenantId)
    .where('g.source', '=', 'ldap')
    .execute();
}

export async function addMemberships(db: DbOrTx, tenantId: string, pairs: readonly { group_id: string; user_id: string }[]): Promise<void> {
  for (let i = 0; i < pairs.length; i += 1000) {
    const chunk = pairs.slice(i, i + 1000);
    await db
      .insertInto('user_groups')
      .values(chunk.map((p) => ({ tenant_id: tenantId, ...p })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

export async function removeMemberships(db: DbOrTx, tenantId: string, pairs: readonly { group_id: string; user_id: string }[]): Promise<void> {
  for (let i = 0; i < pairs.length; i += 1000) {
    const chunk = pairs.slice(i, i + 1000);
    await db
      .deleteFrom('user_groups')
      .where('tenant_id', '=', tenantId)
      .where(sql<boolean>`(group_id, user_id) in (${sql.join(chunk.map((p) => sql`(${p.group_id}, ${p.user_id})`))})`)
      .execute();
  }
}

export interface NewChange {
  kind: DirectoryChangeKind;
  userId?: string | null;
  groupId?: string | null;
  detail?: Record<string, unknown> | null;
}

/** Records changes once per (kind, user, group) per sync: a page applied again adds nothing. */
export async function recordChanges(db: DbOrTx, syncId: string, changes: readonly NewChange[]): Promise<void> {
  for (let i = 0; i < changes.length; i += 1000) {
    const chunk = changes.slice(i, i + 1000);
    await db
      .insertInto('directory_sync_changes')
      .values(
        chunk.map((c) => ({
          sync_id: syncId,
          key: `${c.kind}:${c.userId ?? ''}:${c.groupId ?? ''}`,
          kind: c.kind,
          user_id: c.userId ?? null,
          group_id: c.groupId ?? null,
          detail: JSON.stringify(c.detail ?? null),
        })),
      )
      .onConflict((oc) => oc.columns(['sync_id', 'key']).doNothing())
      .execute();
  }
}

export async function changeCounts(db: DbOrTx, syncId: string): Promise<{ byKind: Map<string, number>; usersTouched: number }> {
  const [rows, touched] = await Promise.all([
    db.selectFrom('directory_sync_changes').select(['kind', (eb) => eb.fn.countAll<string>().as('n')]).where('sync_id', '=', syncId).groupBy('kind').execute(),
    db
      .selectFrom('directory_sync_changes')
      .select(sql<string>`count(distinct user_id)`.as('n'))
      .where('sync_id', '=', syncId)
      .where('kind', 'in', ['user_created', 'user_updated', 'user_reactivated', 'user_conflict'])
      .executeTakeFirstOrThrow(),
  ]);
  return { byKind: new Map(rows.map((r) => [r.kind, Number(r.n)])), usersTouched: Number(touched.n) };
}

/** In the order they were recorded; `after` is the last seq of the previous page. */
export async function listChanges(db: DbOrTx, syncId: string, page: { limit: number; after?: string | undefined; kind?: string | undefined }): Promise<DirectorySyncChangeRow[]> {
  let q = db.selectFrom('directory_sync_changes').selectAll().where('sync_id', '=', syncId).orderBy('seq').limit(page.limit);
  if (page.after) q = q.where('seq', '>', page.after as never);
  if (page.kind) q = q.where('kind', '=', page.kind as DirectoryChangeKind);
  return q.execute();
}
