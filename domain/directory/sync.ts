// LDAP / Active Directory sync, as activities the directory sync workflow strings together:
// stage what the directory holds (a paged search, written to the database page by page),
// apply users a page per activity (so a worker killed mid-sync resumes at the next page),
// then groups with nested membership, then deactivate the users the directory no longer
// has. Every change is recorded once per sync, which makes retried steps harmless and gives
// the report.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { Client, ConfidentialityRequiredError, InvalidCredentialsError, NoSuchObjectError, ResultCodeError, StrongAuthRequiredError } from 'ldapts';
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
} from '../../schema/queries/directory.js';
import type { DirectoryConfigRow, DirectoryEntryData, DirectorySyncReport, DirectoryTlsMode } from '../../schema/tables/directory.js';
import { analyzeRecipients } from '../../schema/queries/users.js';
import type { ActivityDeps } from '../../activities/deps.js';

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

/** Active Directory's objectGUID is 16 raw bytes; it is only usable as an id read as binary. */
const isObjectGuid = (attr: string) => attr.toLowerCase() === 'objectguid';

/**
 * The string form of an objectGUID as AD shows it (`{…}` without braces): the first three
 * fields are little-endian in the binary value, the last two are bytes in order.
 */
export function formatObjectGuid(raw: Buffer): string | null {
  if (raw.length !== 16) return null;
  const hex = (from: number, to: number, reverse: boolean) => {
    const bytes = [...raw.subarray(from, to)];
    return (reverse ? bytes.reverse() : bytes).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

function values(entry: Entry, attr: string | null): string[] {
  if (!attr) return [];
  // LDAP attribute names are case-insensitive; ldapts keys entries by the name the server sent.
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key ? entry[key] : undefined;
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list
    .map((x) => (Buffer.isBuffer(x) ? (isObjectGuid(attr) ? (formatObjectGuid(x) ?? '') : x.toString('utf8')) : String(x)))
    .filter((x) => x.length > 0);
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

export function tlsModeOf(config: Pick<DirectoryConfigRow, 'url' | 'settings'>): DirectoryTlsMode {
  return config.settings.tlsMode ?? (config.url.startsWith('ldaps://') ? 'ldaps' : 'none');
}

// Node's codes for a certificate the client does not accept: retrying cannot help, the config must change.
const CERT_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function certificateFailure(err: unknown, url: string): ApplicationFailure | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !CERT_ERRORS.has(code)) return null;
  const hint = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? "the URL's host is not a name in the server's certificate" : "set caCertificate to the CA that signed the server's certificate";
  return ApplicationFailure.nonRetryable(`TLS to ${url}: the server's certificate is not trusted (${code}: ${(err as Error).message}); ${hint}`, 'DirectoryTlsError');
}

function tlsOptionsOf(config: DirectoryConfigRow): ConnectionOptions {
  const ca = config.settings.caCertificate;
  return {
    rejectUnauthorized: config.settings.tlsRejectUnauthorized,
    // The tenant's CA replaces Node's bundled roots (as TLS_CACERT does for OpenLDAP's tools): a
    // directory behind a private CA must not also accept any publicly issued certificate.
    ...(ca ? { ca: [ca] } : {}),
  };
}

async function connectDirectory(config: DirectoryConfigRow, bindSecret: string): Promise<Client> {
  const mode = tlsModeOf(config);
  const client = new Client({
    url: config.url,
    connectTimeout: 10_000,
    timeout: 60_000,
    // ldapts speaks TLS from the first byte whenever tlsOptions is present, so only ldaps gets them here.
    ...(mode === 'ldaps' ? { tlsOptions: tlsOptionsOf(config) } : {}),
  });
  try {
    if (mode === 'starttls') {
      // The upgraded socket is verified against this host (an IP is checked against IP SANs; SNI only for names).
      const host = new URL(config.url).hostname.replace(/^\[|\]$/g, '');
      try {
        await client.startTLS({ ...tlsOptionsOf(config), host, ...(isIP(host) ? {} : { servername: host }) });
      } catch (err) {
        if (err instanceof ResultCodeError) throw ApplicationFailure.nonRetryable(`LDAP server at ${config.url} refused StartTLS: ${err.message}`, 'DirectoryTlsError');
        throw err;
      }
    }
    await client.bind(config.bind_dn, bindSecret);
    return client;
  } catch (err) {
    await client.unbind().catch(() => undefined);
    // Wrong credentials or an untrusted certificate do not get better by retrying; an unreachable server may.
    if (err instanceof InvalidCredentialsError) throw ApplicationFailure.nonRetryable(`LDAP bind as ${config.bind_dn} failed: invalid credentials`, 'DirectoryBindError');
    // OpenLDAP's `security tls=…` and AD's LDAP signing refuse a bind over plain ldap://.
    if (err instanceof ConfidentialityRequiredError || err instanceof StrongAuthRequiredError) {
      throw ApplicationFailure.nonRetryable(`LDAP server at ${config.url} requires TLS for the bind (${err.message}): set tlsMode to starttls, or use an ldaps:// URL`, 'DirectoryTlsError');
    }
    throw certificateFailure(err, config.url) ?? err;
  }
}

async function withClient<T>(deps: ActivityDeps, config: DirectoryConfigRow, fn: (client: Client) => Promise<T>): Promise<T> {
  if (!deps.secretBox) throw ApplicationFailure.nonRetryable('HERALD_SECRET_KEY is not set: the bind secret cannot be opened', 'DirectoryConfigError');
  const client = await connectDirectory(config, deps.secretBox.open(config.bind_secret_sealed));
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
    data: {
      name: first(e, a.groupName),
      email: null,
      phone: null,
      locale: null,
      timezone: null,
      // A group's own memberOf names its parent groups: nesting as Active Directory reports it.
      memberOf: values(e, a.memberOf).map(normalizeDn),
      members: values(e, a.groupMember).map(normalizeDn),
    },
  };
}

/**
 * Transitive members of every group: a user in a group nested (at any depth) in another is a
 * member of both, because a Herald group is a flat audience. Membership and nesting count from
 * either side — a group's `member` list or the user's or child group's `memberOf`. Cycles in
 * the directory are cut.
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
    // The same nesting seen from the child's side (a group's memberOf), as Active Directory reports it.
    for (const dn of g.data.memberOf) {
      const parent = groupByDn.get(dn);
      if (parent && parent.key !== g.key) nested.get(parent.key)?.add(g.key);
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
// A bound on the groups read one by one, so a directory with a cycle of referrals or a
// runaway memberOf cannot keep a sync reading forever.
const MAX_MEMBER_OF_GROUPS = 20_000;

async function inSlices<T>(items: readonly T[], fn: (slice: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 10_000) {
    await fn(items.slice(i, i + 10_000));
    heartbeat({ done: Math.min(items.length, i + 10_000), of: items.length });
  }
}

/** Every staged entry of one kind, a page at a time. */
async function* allStaged(db: ActivityDeps['db'], syncId: string, kind: 'user' | 'group'): AsyncGenerator<StagedEntry> {
  for (let after: string | null = null; ; ) {
    const page = await stagedPage(db, syncId, kind, after, 5000);
    yield* page;
    if (page.length < 5000) return;
    after = page.at(-1)?.key ?? null;
  }
}

/**
 * Active Directory style: a group a user's memberOf names is a group of the directory even
 * where the group search does not reach (another OU, or no group search at all). Each such DN
 * is read with a base-scope search under the group filter, and its own memberOf followed in
 * turn, so parent groups of nested groups are found too.
 */
async function stageGroupsFromMemberOf(
  deps: ActivityDeps,
  client: Client,
  config: DirectoryConfigRow,
  syncId: string,
  search: { attributes: string[]; explicitBufferAttributes: string[] },
): Promise<{ entries: number; skipped: number }> {
  const seen = new Set<string>();
  const queue: string[] = [];
  const follow = (dns: readonly string[]) => {
    for (const dn of dns) {
      if (seen.has(dn)) continue;
      seen.add(dn);
      queue.push(dn);
    }
  };
  const staged: StagedEntry[] = [];
  for await (const g of allStaged(deps.db, syncId, 'group')) {
    seen.add(g.dn);
    staged.push(g);
  }
  // Follow the staged groups' parents first (they need no lookup of their own), then the users' groups.
  for (const g of staged) follow(g.data.memberOf);
  for await (const u of allStaged(deps.db, syncId, 'user')) follow(u.data.memberOf);
  let entries = 0;
  let skipped = 0;
  let read = 0;
  while (queue.length > 0) {
    if (read >= MAX_MEMBER_OF_GROUPS) throw ApplicationFailure.nonRetryable(`more than ${MAX_MEMBER_OF_GROUPS} groups reached through memberOf`, 'DirectoryConfigError');
    const batch = queue.splice(0, 200);
    const found: StagedEntry[] = [];
    for (const dn of batch) {
      read++;
      let result;
      try {
        result = await client.search(dn, { scope: 'base', filter: config.settings.groupFilter, ...search });
      } catch (err) {
        // A memberOf naming an entry that is gone (or out of the bind DN's sight) is not a group of ours.
        if (err instanceof NoSuchObjectError) {
          skipped++;
          continue;
        }
        throw err;
      }
      const e = result.searchEntries[0];
      const mapped = e ? groupEntry(config, e) : null;
      if (!mapped) {
        // Not a group by the group filter (AD lists distribution lists and built-ins too): ignored.
        skipped++;
        continue;
      }
      found.push(mapped);
      follow(mapped.data.memberOf);
    }
    await stageEntries(deps.db, syncId, 'group', found);
    entries += found.length;
    heartbeat({ memberOfGroups: entries });
  }
  return { entries, skipped };
}

export function createDirectoryActivities(deps: ActivityDeps) {
  return {
    async beginDirectorySync(input: BeginSyncInput): Promise<{ ok: true } | { ok: false; reason: string }> {
      const config = await findDirectoryConfig(deps.db, input.tenantId);
      if (!config) return { ok: false, reason: 'no directory configured' };
      await beginSync(deps.db, { id: input.syncId, tenantId: input.tenantId, trigger: input.trigger, workflowId: input.workflowId });
      return { ok: true };
    },

    /**
     * A paged search of one kind of entry, staged page by page. Restarted from the top on retry
     * (an LDAP paging cookie does not outlive its connection). For groups, then, the groups that
     * users' and groups' memberOf name but the search did not return are read one by one.
     */
    async stageDirectoryEntries(input: SyncRef & { kind: 'user' | 'group' }): Promise<{ entries: number; skipped: number }> {
      const config = await configOf(deps, input.tenantId);
      const s = config.settings;
      await setSyncPhase(deps.db, input.syncId, `staging_${input.kind}s`);
      await clearStaged(deps.db, input.syncId, input.kind);
      const a = s.attributes;
      const attributes = (
        input.kind === 'user' ? [a.id, a.name, a.email, a.phone, a.locale, a.timezone, a.memberOf] : [a.groupId, a.groupName, a.groupMember, a.memberOf]
      ).filter((x): x is string => !!x);
      const explicitBufferAttributes = attributes.filter(isObjectGuid);
      let entries = 0;
      let skipped = 0;
      await withClient(deps, config, async (client) => {
        const base = (input.kind === 'user' ? s.userBaseDn : s.groupBaseDn) ?? s.baseDn;
        if (input.kind === 'user' || s.groupSearch !== false) {
          const pages = client.searchPaginated(base, {
            scope: 'sub',
            filter: input.kind === 'user' ? s.userFilter : s.groupFilter,
            attributes,
            explicitBufferAttributes,
            paged: { pageSize: s.pageSize },
          });
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
        }
        if (input.kind === 'group' && a.memberOf) {
          const found = await stageGroupsFromMemberOf(deps, client, config, input.syncId, { attributes, explicitBufferAttributes });
          entries += found.entries;
          skipped += found.skipped;
        }
      });
      return { entries, skipped };
    },

    /** One page of staged users applied in one transaction, with its changes. */
    async applyDirectoryUsersPage(input: SyncRef & { after: string | null }): Promise<{ next: string | null; applied: number }> {
      const config = await configOf(deps, input.tenantId);
      const page = await stagedPage(deps.db, input.syncId, 'user', input.after, config.settings.pageSize);
      if (page.length === 0) return { next: null, applied: 0 };
      heartbeat({ after: input.after });
      await deps.db.transaction().execute(async (tx) => {
        const existing = new Map((await findUsersByIds(tx, input.tenantId, page.map((p) => p.key))).map((u) => [u.id, u]));
        heartbeat({ after: input.after });
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
      for await (const g of allStaged(deps.db, input.syncId, 'group')) groups.push(g);
      heartbeat({ groups: groups.length });
      const userDns = new Map<string, string>();
      const userMemberOf = new Map<string, string[]>();
      for await (const u of allStaged(deps.db, input.syncId, 'user')) {
        userDns.set(u.dn, u.key);
        if (u.data.memberOf.length > 0) userMemberOf.set(u.key, u.data.memberOf);
      }
      heartbeat({ users: userDns.size });
      // The users pages just wrote may have grown the table many times over: fresh statistics
      // keep each membership row's foreign-key check an index lookup (see analyzeRecipients).
      await analyzeRecipients(deps.db);
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
        heartbeat({ memberships: 'computed' });
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
        // In slices with a heartbeat between them: a large directory's memberships take a while.
        await inSlices(add, (slice) => addMemberships(tx, input.tenantId, slice));
        await inSlices(remove, (slice) => removeMemberships(tx, input.tenantId, slice));
        for (const m of add) changes.push({ kind: 'membership_added', groupId: m.group_id, userId: m.user_id });
        for (const m of remove) changes.push({ kind: 'membership_removed', groupId: m.group_id, userId: m.user_id });
        await inSlices(changes, (slice) => recordChanges(tx, input.syncId, slice));
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
