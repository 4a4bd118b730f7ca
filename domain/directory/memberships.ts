import type { StagedEntry } from '../../schema/queries/directory.js';

/**
 * Transitive members of every group: a user in a group nested (at any depth) in another is a
 * member of both, because a Herald group is a flat audience. Membership and nesting count from
 * either side — a group's `member` list or the user's or child group's `memberOf`. Cycles in
 * the directory are cut.
 */
export function flattenMemberships(groups: readonly StagedEntry[], users: ReadonlyMap<string, string>, userMemberOf: ReadonlyMap<string, readonly string[]>): Map<string, Set<string>> {
  const { direct, nested } = directLinks(groups, users, userMemberOf);
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

/** Per group key: its direct user members, and the groups directly nested in it. */
function directLinks(groups: readonly StagedEntry[], users: ReadonlyMap<string, string>, userMemberOf: ReadonlyMap<string, readonly string[]>) {
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
  return { direct, nested };
}
