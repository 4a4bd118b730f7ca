// A directory sync's groups, then the flattened memberships of every directory group, in one
// transaction with the record of what changed. A group or user id another source manages is
// recorded as a conflict and left alone.
import type { DbOrTx } from '../../schema/database.js';
import {
  activeLdapUserIds,
  addMemberships,
  deleteLdapGroups,
  groupsByIds,
  ldapGroupIds,
  ldapMemberships,
  recordChanges,
  removeMemberships,
  setSyncPhase,
  upsertLdapGroups,
  type NewChange,
  type StagedEntry,
} from '../../schema/queries/directory.js';
import { analyzeRecipients } from '../../schema/queries/users.js';
import type { Heartbeat } from '../heartbeat.js';
import type { DirectoryDeps } from './deps.js';
import { flattenMemberships } from './memberships.js';
import { allStaged, type SyncRef } from './staging.js';

type Membership = { group_id: string; user_id: string };

interface StagedDirectory {
  groups: StagedEntry[];
  /** User DN → user id. */
  userDns: Map<string, string>;
  /** User id → the group DNs its memberOf names. */
  userMemberOf: Map<string, string[]>;
}

export async function applyDirectoryGroups(deps: DirectoryDeps, input: SyncRef, heartbeat: Heartbeat): Promise<{ groups: number }> {
  const staged = await loadStaged(deps, input.syncId, heartbeat);
  // The users pages just wrote may have grown the table many times over: fresh statistics
  // keep each membership row's foreign-key check an index lookup (see analyzeRecipients).
  await analyzeRecipients(deps.db);
  await deps.db.transaction().execute(async (tx) => {
    await setSyncPhase(tx, input.syncId, 'groups');
    const changes: NewChange[] = [];
    const managed = await applyGroups(tx, input.tenantId, staged.groups, changes);
    await applyMemberships(tx, input.tenantId, managed, staged, changes, heartbeat);
    await inSlices(changes, heartbeat, (slice) => recordChanges(tx, input.syncId, slice));
  });
  return { groups: staged.groups.length };
}

async function loadStaged(deps: DirectoryDeps, syncId: string, heartbeat: Heartbeat): Promise<StagedDirectory> {
  const groups: StagedEntry[] = [];
  for await (const g of allStaged(deps.db, syncId, 'group')) groups.push(g);
  heartbeat({ groups: groups.length });
  const userDns = new Map<string, string>();
  const userMemberOf = new Map<string, string[]>();
  for await (const u of allStaged(deps.db, syncId, 'user')) {
    userDns.set(u.dn, u.key);
    if (u.data.memberOf.length > 0) userMemberOf.set(u.key, u.data.memberOf);
  }
  heartbeat({ users: userDns.size });
  return { groups, userDns, userMemberOf };
}

/** Writes the directory's groups, removes those it no longer has; returns the groups it manages. */
async function applyGroups(tx: DbOrTx, tenantId: string, groups: readonly StagedEntry[], changes: NewChange[]): Promise<StagedEntry[]> {
  const existing = new Map((await groupsByIds(tx, tenantId, groups.map((g) => g.key))).map((g) => [g.id, g]));
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
  await upsertLdapGroups(tx, tenantId, managed.map((g) => ({ id: g.key, name: g.data.name, dn: g.dn })));
  const keep = new Set(managed.map((g) => g.key));
  const gone = (await ldapGroupIds(tx, tenantId)).filter((id) => !keep.has(id));
  for (const id of gone) changes.push({ kind: 'group_removed', groupId: id });
  await deleteLdapGroups(tx, tenantId, gone);
  return managed;
}

async function applyMemberships(tx: DbOrTx, tenantId: string, managed: readonly StagedEntry[], staged: StagedDirectory, changes: NewChange[], heartbeat: Heartbeat): Promise<void> {
  // Only users this directory manages (not conflicting ids of other sources) become members.
  const ldapUsers = await activeLdapUserIds(tx, tenantId, [...staged.userDns.values()]);
  const usable = new Map([...staged.userDns].filter(([, id]) => ldapUsers.has(id)));
  const wanted = flattenMemberships(managed, usable, new Map([...staged.userMemberOf].filter(([id]) => ldapUsers.has(id))));
  heartbeat({ memberships: 'computed' });
  const { add, remove } = membershipDiff(wanted, await ldapMemberships(tx, tenantId));
  // In slices with a heartbeat between them: a large directory's memberships take a while.
  await inSlices(add, heartbeat, (slice) => addMemberships(tx, tenantId, slice));
  await inSlices(remove, heartbeat, (slice) => removeMemberships(tx, tenantId, slice));
  for (const m of add) changes.push({ kind: 'membership_added', groupId: m.group_id, userId: m.user_id });
  for (const m of remove) changes.push({ kind: 'membership_removed', groupId: m.group_id, userId: m.user_id });
}

function membershipDiff(wanted: ReadonlyMap<string, ReadonlySet<string>>, current: readonly Membership[]): { add: Membership[]; remove: Membership[] } {
  const pair = (g: string, u: string) => `${g}\u0000${u}`;
  const currentPairs = new Set(current.map((m) => pair(m.group_id, m.user_id)));
  const add: Membership[] = [];
  const wantedPairs = new Set<string>();
  for (const [g, members] of wanted) {
    for (const u of members) {
      wantedPairs.add(pair(g, u));
      if (!currentPairs.has(pair(g, u))) add.push({ group_id: g, user_id: u });
    }
  }
  const remove = [...currentPairs]
    .filter((p) => !wantedPairs.has(p))
    .map((p) => {
      const [group_id = '', user_id = ''] = p.split('\u0000');
      return { group_id, user_id };
    });
  return { add, remove };
}

async function inSlices<T>(items: readonly T[], heartbeat: Heartbeat, fn: (slice: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 10_000) {
    await fn(items.slice(i, i + 10_000));
    heartbeat({ done: Math.min(items.length, i + 10_000), of: items.length });
  }
}
