// LDAP / Active Directory sync, as activities the directory sync workflow strings together:
// stage what the directory holds (a paged search, written to the database page by page),
// apply users a page per activity (so a worker killed mid-sync resumes at the next page),
// then groups with nested membership, then deactivate the users the directory no longer
// has. Every change is recorded once per sync, which makes retried steps harmless and gives
// the report.
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { Client, InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import type { Entry } from 'ldapts';
import {
  activeLdapUserIds,
  addMemberships,
  beginSync,
  changeCounts,
  clearStaged,
  countStaged,
  deactivateUnseenLdapUsers,
  deleteLdapGroups,
  findDirectoryConfig,
  findSync,
  finishSync,
  findUsersByIds,
  groupsByIds,
  ldapGroupIds,
  ldapMemberships,
  recordChanges,
  removeMemberships,
  setSyncPhase,
  stagedPage,
  stageEntries,
  upsertLdapGroups,
  upsertLdapUsers,
  type DirectoryUserFields,
  type NewChange,
  type StagedEntry,
} from '../schema/queries/directory.js';
import type { DirectoryConfigRow, DirectoryEntryData, DirectorySyncReport } from '../schema/tables/directory.js';
import type { ActivityDeps } from './deps.js';

export const LDAP_GONE_REASON = 'ldap: no longer in the directory';
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** DNs compare case-insensitively and without the spaces some servers put after commas. */
export function normalizeDn(dn: string): string {
  return dn
    .split(',')
    .map((rdn) =>
      rdn
        .split('=')
        .map((p) => p.trim())
        .join('='),
    )
    .join(',')
    .toLowerCase();
}

function values(entry: Entry, attr: string | null): string[] {
  if (!attr) return [];
  // LDAP attribute names are case-insensitive; ldapts keys entries by the name the server sent.
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key ? entry[key] : undefined;
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).filter((x) => x.length > 0);
}

const first = (entry: Entry, attr: string | null): string | null => values(entry, attr)[0] ?? null;

function phoneOf(raw: string | null): string | null {
  if (!raw) return null;
  const compact = raw.replace(/[\s().-]/g, '');
  return E164.test(compact) ? compact : null;
}

function localeOf(raw: string | null): string | null {
  if (!raw) return null;
  try {
    return Intl.getCanonicalLocales(raw.split(/[,;]/)[0]?.trim() ?? '')[0] ?? null;
  } catch {
    return null;
  }
}

function timezoneOf(raw: string | null): string | null {
  if (!raw) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw });
    return raw;
  } catch {
    return null;
  }
}

export interface SyncRef {
  tenantId: string;
  syncId: string;
}

export interface BeginSyncInput extends SyncRef {
  trigger: 'manual' | 'schedule';
  workflowId: string;
}

async function withClient<T>(deps: ActivityDeps, config: DirectoryConfigRow, fn: (client: Client) => Promise<T>): Promise<T> {
  if (!deps.secretBox) throw ApplicationFailure.nonRetryable('HERALD_SECRET_KEY is not set: the bind secret cannot be opened', 'DirectoryConfigError');
  const client = new Client({
    url: config.url,
    connectTimeout: 10_000,
    timeout: 60_000,
    // ldapts speaks TLS whenever tlsOptions is present, so plain ldap:// must not get any.
    ...(config.url.startsWith('ldaps://') ? { tlsOptions: { rejectUnauthorized: config.settings.tlsRejectUnauthorized } } : {}),
  });
  try {
    await client.bind(config.bind_dn, deps.secretBox.open(config.bind_secret_sealed));
  } catch (err) {
    await client.unbind().catch(() => undefined);
    // Wrong credentials do not get better by retrying; an unreachable server may.
    if (err instanceof InvalidCredentialsError) throw ApplicationFailure.nonRetryable(`LDAP bind as ${config.bind_dn} failed: invalid credentials`, 'DirectoryBindError');
    throw err;
  }
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof NoSuchObjectError) throw ApplicationFailure.nonRetryable(`LDAP search base not found: ${err.message}`, 'DirectoryConfigError');
    throw err;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

async function configOf(deps: ActivityDeps, tenantId: string): Promise<DirectoryConfigRow> {
  const config = await findDirectoryConfig(deps.db, tenantId);
  if (!config) throw ApplicationFailure.nonRetryable(`tenant ${tenantId} has no directory configured`, 'DirectoryConfigError');
  return config;
}

function userEntry(config: DirectoryConfigRow, e: Entry): StagedEntry | null {
  const a = config.settings.attributes;
  const key = first(e, a.id);
  if (!key || !CLIENT_ID.test(key)) return null;
  const data: DirectoryEntryData = {
    name: first(e, a.name),
    email: first(e, a.email)?.toLowerCase() ?? null,
    phone: phoneOf(first(e, a.phone)),
    locale: localeOf(first(e, a.locale)),
    timezone: timezoneOf(first(e, a.timezone)),
    memberOf: values(e, a.memberOf).map(normalizeDn),
    members: [],
  };
  return { key, dn: normalizeDn(e.dn), data };
}

function groupEntry(config: DirectoryConfigRow, e: Entry): StagedEntry | null {
  const a = config.settings.attributes;
  const key = first(e, a.groupId);
  if (!key || !CLIENT_ID.test(key)) return null;
  return {
    key,
    dn: normalizeDn(e.dn),
    data: { name: first(e, a.groupName), email: null, phone: null, locale: null, timezone: null, memberOf: [], members: values(e, a.groupMember).map(normalizeDn) },
  };
}

/**
 * Transitive members of every group: a user in a group nested (at any depth) in another is a
 * member of both, because a Herald group is a flat audience. Cycles in the directory are cut.
 */
export function flattenMemberships(groups: readonly StagedEntry[], users: ReadonlyMap<string, string>, userMemberOf: ReadonlyMap<string, readonly string[]>): Map<string, Set<string>> {
  const groupByDn = new Map(groups.map((g) => [g.dn, g]));
  const direct = new Map<string, Set<string>>(groups.map((g) => [g.key, new Set<string>()]));
  const nested = new Map<string, Set<string>>(groups.map((g) => [g.key, new Set<string>()]));
  for (const g of groups) {
    for (const dn of g.data.members) {
      const user = users.get(dn);
      if (user) direct.get(g.key)?.add(user);
      const child = groupByDn.get(dn);
      if (child && child.key !== g.key) nested.get(g.key)?.add(child.key);
    }
  }
  for (const [userId, groupDns] of userMemberOf) {
    for (const dn of groupDns) {
      const g = groupByDn.get(dn);
      if (g) direct.get(g.key)?.add(userId);
    }
  }
  const resolved = new Map<string, Set<string>>();
  const resolve = (key: string, path: Set<string>): Set<string> => {
    const done = resolved.get(key);
    if (done) return done;
    const out = new Set(direct.get(key));
    path.add(key);
    for (const child of nested.get(key) ?? []) {
      if (path.has(child)) continue;
      for (const u of resolve(child, path)) out.add(u);
    }
    path.delete(key);
    resolved.set(key, out);
    return out;
  };
  for (const g of groups) resolve(g.key, new Set());
  return resolved;
}

const USER_FIELDS = ['name', 'email', 'phone', 'locale', 'timezone'] as const;

export function createDirectoryActivities(deps: ActivityDeps) {
  return {
    async beginDirectorySync(input: BeginSyncInput): Promise<{ ok: true } | { ok: false; reason: string }> {
      const config = await findDirectoryConfig(deps.db, input.tenantId);
      if (!config) return { ok: false, reason: 'no directory configured' };
      await beginSync(deps.db, { id: input.syncId, tenantId: input.tenantId, trigger: input.trigger, workflowId: input.workflowId });
      return { ok: true };
    },

    /** A paged search of one kind of entry, staged page by page. Restarted from the top on retry (an LDAP paging cookie does not outlive its connection). */
    async stageDirectoryEntries(input: SyncRef & { kind: 'user' | 'group' }): Promise<{ entries: number; skipped: number }> {
      const config = await configOf(deps, input.tenantId);
      const s = config.settings;
      await setSyncPhase(deps.db, input.syncId, `staging_${input.kind}s`);
      await clearStaged(deps.db, input.syncId, input.kind);
      const a = s.attributes;
      const attributes =
        input.kind === 'user'
          ? [a.id, a.name, a.email, a.phone, a.locale, a.timezone, a.memberOf].filter((x): x is string => !!x)
          : [a.groupId, a.groupName, a.groupMember];
      let entries = 0;
      let skipped = 0;
      await withClient(deps, config, async (client) => {
        const base = (input.kind === 'user' ? s.userBaseDn : s.groupBaseDn) ?? s.baseDn;
        const pages = client.searchPaginated(base, { scope: 'sub', filter: input.kind === 'user' ? s.userFilter : s.groupFilter, attributes, paged: { pageSize: s.pageSize } });
        for await (const page of pages) {
          const staged: StagedEntry[] = [];
          for (const e of page.searchEntries) {
            const mapped = input.kind === 'user' ? userEntry(config, e) : groupEntry(config, e);
            if (mapped) staged.push(mapped);
            else skipped++;
          }
          await stageEntries(deps.db, input.syncId, input.kind, staged);
          entries += staged.length;
          heartbeat({ entries });
        }
      });
      return { entries, skipped };
    },

    /** One page of staged users applied in one transaction, with its changes. */
    async applyDirectoryUsersPage(input: SyncRef & { after: string | null }): Promise<{ next: string | null; applied: number }> {
      const config = await configOf(deps, input.tenantId);
      const page = await stagedPage(deps.db, input.syncId, 'user', input.after, config.settings.pageSize);
      if (page.length === 0) return { next: null, applied: 0 };
      await deps.db.transaction().execute(async (tx) => {
        const existing = new Map((await findUsersByIds(tx, input.tenantId, page.map((p) => p.key))).map((u) => [u.id, u]));
        const writes: DirectoryUserFields[] = [];
        const changes: NewChange[] = [];
        for (const entry of page) {
          const wanted: DirectoryUserFields = { id: entry.key, dn: entry.dn, ...Object.fromEntries(USER_FIELDS.map((f) => [f, entry.data[f]])) } as DirectoryUserFields;
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
        await upsertLdapUsers(tx, input.tenantId, writes);
        await recordChanges(tx, input.syncId, changes);
        await setSyncPhase(tx, input.syncId, 'users', { pageApplied: true });
      });
      return { next: page.length < config.settings.pageSize ? null : (page.at(-1)?.key ?? null), applied: page.length };
    },

    /** Groups, then the flattened memberships of every directory group, in one transaction. */
    async applyDirectoryGroups(input: SyncRef): Promise<{ groups: number }> {
      const groups: StagedEntry[] = [];
      for (let after: string | null = null; ; ) {
        const page = await stagedPage(deps.db, input.syncId, 'group', after, 5000);
        groups.push(...page);
        if (page.length < 5000) break;
        after = page.at(-1)?.key ?? null;
      }
      const userDns = new Map<string, string>();
      const userMemberOf = new Map<string, string[]>();
      for (let after: string | null = null; ; ) {
        const page = await stagedPage(deps.db, input.syncId, 'user', after, 5000);
        for (const u of page) {
          userDns.set(u.dn, u.key);
          if (u.data.memberOf.length > 0) userMemberOf.set(u.key, u.data.memberOf);
        }
        if (page.length < 5000) break;
        after = page.at(-1)?.key ?? null;
      }
      await deps.db.transaction().execute(async (tx) => {
        await setSyncPhase(tx, input.syncId, 'groups');
        const changes: NewChange[] = [];
        const existing = new Map((await groupsByIds(tx, input.tenantId, groups.map((g) => g.key))).map((g) => [g.id, g]));
        const managed = groups.filter((g) => {
          const row = existing.get(g.key);
          if (row && row.source !== 'ldap') {
            changes.push({ kind: 'group_conflict', groupId: g.key, detail: { dn: g.dn, source: row.source } });
            return false;
          }
          if (!row) changes.push({ kind: 'group_created', groupId: g.key, detail: { dn: g.dn } });
          else if (row.name !== g.data.name || row.external_id !== g.dn) changes.push({ kind: 'group_updated', groupId: g.key, detail: { name: { from: row.name, to: g.data.name }, dn: { from: row.external_id, to: g.dn } } });
          return true;
        });
        await upsertLdapGroups(tx, input.tenantId, managed.map((g) => ({ id: g.key, name: g.data.name, dn: g.dn })));
        const keep = new Set(managed.map((g) => g.key));
        const gone = (await ldapGroupIds(tx, input.tenantId)).filter((id) => !keep.has(id));
        for (const id of gone) changes.push({ kind: 'group_removed', groupId: id });
        await deleteLdapGroups(tx, input.tenantId, gone);

        // Only users this directory manages (not conflicting ids of other sources) become members.
        const ldapUsers = await activeLdapUserIds(tx, input.tenantId, [...userDns.values()]);
        const usable = new Map([...userDns].filter(([, id]) => ldapUsers.has(id)));
        const wanted = flattenMemberships(managed, usable, new Map([...userMemberOf].filter(([id]) => ldapUsers.has(id))));
        const pair = (g: string, u: string) => `${g}\u0000${u}`;
        const current = new Set((await ldapMemberships(tx, input.tenantId)).map((m) => pair(m.group_id, m.user_id)));
        const add: { group_id: string; user_id: string }[] = [];
        const wantedPairs = new Set<string>();
        for (const [g, members] of wanted) {
          for (const u of members) {
            wantedPairs.add(pair(g, u));
            if (!current.has(pair(g, u))) add.push({ group_id: g, user_id: u });
          }
        }
        const remove = [...current].filter((p) => !wantedPairs.has(p)).map((p) => {
          const [group_id = '', user_id = ''] = p.split('\u0000');
          return { group_id, user_id };
        });
        await addMemberships(tx, input.tenantId, add);
        await removeMemberships(tx, input.tenantId, remove);
        for (const m of add) changes.push({ kind: 'membership_added', groupId: m.group_id, userId: m.user_id });
        for (const m of remove) changes.push({ kind: 'membership_removed', groupId: m.group_id, userId: m.user_id });
        await recordChanges(tx, input.syncId, changes);
      });
      return { groups: groups.length };
    },

    async deactivateMissingDirectoryUsers(input: SyncRef): Promise<{ deactivated: number }> {
      return deps.db.transaction().execute(async (tx) => {
        await setSyncPhase(tx, input.syncId, 'deactivating');
        const ids = await deactivateUnseenLdapUsers(tx, input.tenantId, input.syncId, LDAP_GONE_REASON);
        await recordChanges(tx, input.syncId, ids.map((userId) => ({ kind: 'user_deactivated' as const, userId, detail: { reason: LDAP_GONE_REASON } })));
        return { deactivated: ids.length };
      });
    },

    /** The report from the recorded changes; the staged entries are dropped. */
    async finishDirectorySync(input: SyncRef & { error?: string | undefined }): Promise<{ status: string; report: DirectorySyncReport | null }> {
      const sync = await findSync(deps.db, input.tenantId, input.syncId);
      if (!sync) return { status: 'missing', report: null };
      if (sync.status !== 'running') return { status: sync.status, report: sync.report };
      const entries = await countStaged(deps.db, input.syncId);
      const { byKind, usersTouched } = await changeCounts(deps.db, input.syncId);
      const n = (k: string) => byKind.get(k) ?? 0;
      const report: DirectorySyncReport = {
        entries,
        users: {
          created: n('user_created'),
          updated: n('user_updated'),
          deactivated: n('user_deactivated'),
          reactivated: n('user_reactivated'),
          unchanged: Math.max(0, entries.users - usersTouched),
          conflicts: n('user_conflict'),
        },
        groups: { created: n('group_created'), updated: n('group_updated'), removed: n('group_removed') },
        memberships: { added: n('membership_added'), removed: n('membership_removed') },
        durationMs: Date.now() - sync.started_at.getTime(),
      };
      await finishSync(deps.db, input.syncId, { status: input.error ? 'failed' : 'completed', report: input.error ? null : report, error: input.error ?? null });
      await clearStaged(deps.db, input.syncId);
      return { status: input.error ? 'failed' : 'completed', report };
    },
  };
}
