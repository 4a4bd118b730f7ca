// The first stage of a directory sync: what the directory holds, read with a paged search and
// written to the database page by page (an LDAP paging cookie does not outlive its
// connection, so a retried stage starts from the top). Groups that users' and groups'
// memberOf name but the group search did not return are read one by one.
import type { Client } from 'ldapts';
import { NoSuchObjectError } from 'ldapts';
import { clearStaged, setSyncPhase, stagedPage, stageEntries, type StagedEntry } from '../../schema/queries/directory.js';
import type { Db } from '../../schema/database.js';
import type { DirectoryConfigRow } from '../../schema/tables/directory.js';
import type { Heartbeat } from '../heartbeat.js';
import type { DirectoryDeps } from './deps.js';
import { groupEntry, searchAttributes, userEntry } from './entries.js';
import { directoryError, DirectoryErrorCode } from './errors.js';
import { directoryConfigOf, withClient } from './ldap-client.js';

export interface SyncRef {
  tenantId: string;
  syncId: string;
}

export interface StageInput extends SyncRef {
  kind: 'user' | 'group';
}

export interface StageResult {
  entries: number;
  skipped: number;
}

type Search = ReturnType<typeof searchAttributes>;

// A bound on the groups read one by one, so a directory with a cycle of referrals or a
// runaway memberOf cannot keep a sync reading forever.
const MAX_MEMBER_OF_GROUPS = 20_000;

/** Every staged entry of one kind, a page at a time. */
export async function* allStaged(db: Db, syncId: string, kind: 'user' | 'group'): AsyncGenerator<StagedEntry> {
  for (let after: string | null = null; ; ) {
    const page = await stagedPage(db, syncId, kind, after, 5000);
    yield* page;
    if (page.length < 5000) return;
    after = page.at(-1)?.key ?? null;
  }
}

/** A paged search of one kind of entry, staged page by page; heartbeats per page. */
export async function stageDirectoryEntries(deps: DirectoryDeps, input: StageInput, heartbeat: Heartbeat): Promise<StageResult> {
  const config = await directoryConfigOf(deps, input.tenantId);
  await setSyncPhase(deps.db, input.syncId, `staging_${input.kind}s`);
  await clearStaged(deps.db, input.syncId, input.kind);
  const search = searchAttributes(config, input.kind);
  const s = config.settings;
  return withClient(deps, config, async (client) => {
    const found = input.kind === 'user' || s.groupSearch ? await stageSearch(deps.db, client, config, input, search, heartbeat) : { entries: 0, skipped: 0 };
    if (input.kind !== 'group' || !s.attributes.memberOf) return found;
    const more = await stageGroupsFromMemberOf(deps.db, client, config, input.syncId, search, heartbeat);
    return { entries: found.entries + more.entries, skipped: found.skipped + more.skipped };
  });
}

async function stageSearch(db: Db, client: Client, config: DirectoryConfigRow, input: StageInput, search: Search, heartbeat: Heartbeat): Promise<StageResult> {
  const s = config.settings;
  const pages = client.searchPaginated((input.kind === 'user' ? s.userBaseDn : s.groupBaseDn) ?? s.baseDn, {
    scope: 'sub',
    filter: input.kind === 'user' ? s.userFilter : s.groupFilter,
    ...search,
    paged: { pageSize: s.pageSize },
  });
  let entries = 0;
  let skipped = 0;
  for await (const page of pages) {
    const staged: StagedEntry[] = [];
    for (const e of page.searchEntries) {
      const mapped = input.kind === 'user' ? userEntry(config, e) : groupEntry(config, e);
      if (mapped) staged.push(mapped);
      else skipped++;
    }
    await stageEntries(db, input.syncId, input.kind, staged);
    entries += staged.length;
    heartbeat({ entries });
  }
  return { entries, skipped };
}

/** The DNs memberOf names that are not staged groups yet: the staged groups' parents first (they need no lookup of their own), then the users' groups. */
async function memberOfQueue(db: Db, syncId: string): Promise<{ queue: string[]; follow: (dns: readonly string[]) => void }> {
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
  for await (const g of allStaged(db, syncId, 'group')) {
    seen.add(g.dn);
    staged.push(g);
  }
  for (const g of staged) follow(g.data.memberOf);
  for await (const u of allStaged(db, syncId, 'user')) follow(u.data.memberOf);
  return { queue, follow };
}

/** One group by its DN, if it is one by the group filter; null when it is gone, out of sight, or not a group. */
async function readGroup(client: Client, config: DirectoryConfigRow, dn: string, search: Search): Promise<StagedEntry | null> {
  let result;
  try {
    result = await client.search(dn, { scope: 'base', filter: config.settings.groupFilter, ...search });
  } catch (err) {
    // A memberOf naming an entry that is gone (or out of the bind DN's sight) is not a group of ours.
    if (err instanceof NoSuchObjectError) return null;
    throw err;
  }
  const e = result.searchEntries[0];
  // Not a group by the group filter (AD lists distribution lists and built-ins too): ignored.
  return e ? groupEntry(config, e) : null;
}

/**
 * Active Directory style: a group a user's memberOf names is a group of the directory even
 * where the group search does not reach (another OU, or no group search at all). Each such DN
 * is read with a base-scope search under the group filter, and its own memberOf followed in
 * turn, so parent groups of nested groups are found too.
 */
async function stageGroupsFromMemberOf(db: Db, client: Client, config: DirectoryConfigRow, syncId: string, search: Search, heartbeat: Heartbeat): Promise<StageResult> {
  const { queue, follow } = await memberOfQueue(db, syncId);
  let entries = 0;
  let skipped = 0;
  let read = 0;
  while (queue.length > 0) {
    if (read >= MAX_MEMBER_OF_GROUPS) throw directoryError(DirectoryErrorCode.Config, `more than ${MAX_MEMBER_OF_GROUPS} groups reached through memberOf`);
    const found: StagedEntry[] = [];
    for (const dn of queue.splice(0, 200)) {
      read++;
      const group = await readGroup(client, config, dn, search);
      if (!group) {
        skipped++;
        continue;
      }
      found.push(group);
      follow(group.data.memberOf);
    }
    await stageEntries(db, syncId, 'group', found);
    entries += found.length;
    heartbeat({ memberOfGroups: entries });
  }
  return { entries, skipped };
}
