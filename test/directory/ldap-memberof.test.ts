// Active Directory style membership against a real slapd with the `memberof` overlay: groups
// found through the users' `memberOf` (and nesting through the groups' own `memberOf`),
// with or without a group search, users keyed by a stable id (`entryUUID`, AD's `objectGUID`)
// that survives a rename. The groups are added online, so the overlay writes every memberOf.
import { Client } from 'ldapts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatObjectGuid } from '../../domain/directory/entries.js';
import { startOpenLdap, type OpenLdap } from '../../local/openldap.js';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';
import { departmentOf, groupDn, groupsLdif, GROUPS, PEOPLE, peopleLdif, SUFFIX, teamOf, userDn } from './ldap-fixture.js';

const USERS = 60;
const PROJECTS = `ou=projects,${SUFFIX}`;
const projectDn = (cn: string) => `cn=${cn},${PROJECTS}`;
// Projects live outside ou=groups, where only memberOf leads; all-projects nests the other two.
const inAtlas = (i: number) => i <= 10;
const inZephyr = (i: number) => i % 5 === 0;
const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

function projectsLdif(): string {
  const group = (cn: string, members: string[]) => [`dn: ${projectDn(cn)}`, 'changetype: add', 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((m) => `member: ${m}`), ''].join('\n');
  return [
    [`dn: ${PROJECTS}`, 'changetype: add', 'objectClass: organizationalUnit', 'ou: projects', ''].join('\n'),
    group('project-atlas', range(USERS).filter(inAtlas).map(userDn)),
    group('project-zephyr', range(USERS).filter(inZephyr).map(userDn)),
    group('all-projects', [projectDn('project-atlas'), projectDn('project-zephyr')]),
  ].join('\n');
}

/** What every person should be a member of, flattened. */
function expectedGroups(i: number): string[] {
  const team = teamOf(i);
  const projects = [...(inAtlas(i) ? ['project-atlas'] : []), ...(inZephyr(i) ? ['project-zephyr'] : [])];
  return ['all-staff', departmentOf(team), team, ...projects, ...(projects.length ? ['all-projects'] : [])].sort();
}

describe('LDAP sync, Active Directory style: memberOf, nested groups, stable ids', () => {
  let ldap: OpenLdap;
  let stack: TestStack;
  /** uid → entryUUID, read from the directory itself. */
  let uuid: Map<string, string>;
  const config = (over: Record<string, unknown> = {}) => ({
    url: ldap.url,
    bindDn: ldap.rootDn,
    bindSecret: ldap.rootPassword,
    baseDn: SUFFIX,
    userBaseDn: PEOPLE,
    groupBaseDn: GROUPS,
    pageSize: 25,
    attributes: { id: 'entryUUID', memberOf: 'memberOf' },
    ...over,
  });

  async function sync(): Promise<{ id: string; report: any }> {
    const r = await stack.request('POST', '/v1/directory/ldap/syncs');
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const done = await eventually(async () => {
      const s = await stack.request('GET', `/v1/directory/ldap/syncs/${r.body.id}`);
      return s.status === 200 && s.body.status !== 'running' ? s.body : undefined;
    }, 60_000);
    expect(done.status, done.error).toBe('completed');
    return { id: r.body.id, report: done.report };
  }

  async function changes(id: string): Promise<[string, string | null, string | null][]> {
    const r = await stack.request('GET', `/v1/directory/ldap/syncs/${id}/changes?limit=200`);
    expect(r.body.nextCursor).toBeNull();
    return r.body.items.map((c: { kind: string; userId: string | null; groupId: string | null }) => [c.kind, c.userId, c.groupId]).sort();
  }

  async function memberships(): Promise<Map<string, string[]>> {
    const rows = await sql<{ user_id: string; group_id: string }>`select user_id, group_id from user_groups order by group_id`.execute(stack.db);
    const out = new Map<string, string[]>();
    for (const r of rows.rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.group_id]);
    return out;
  }

  async function readUuids(): Promise<Map<string, string>> {
    const c = new Client({ url: ldap.url });
    await c.bind(ldap.rootDn, ldap.rootPassword);
    const { searchEntries } = await c.search(PEOPLE, { scope: 'one', filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'entryUUID'] });
    await c.unbind();
    return new Map(searchEntries.map((e) => [String(e.uid), String(e.entryUUID)]));
  }

  const idOf = (i: number) => uuid.get(`user${String(i).padStart(3, '0')}`) ?? `missing ${i}`;

  beforeAll(async () => {
    [ldap, stack] = await Promise.all([startOpenLdap({ seedLdif: peopleLdif(USERS), memberOf: true }), startStack()]);
    await ldap.modify(groupsLdif(USERS, true));
    await ldap.modify(projectsLdif());
    uuid = await readUuids();
  });
  afterAll(async () => {
    await stack?.stop();
    await ldap?.stop();
  });

  it('the overlay keeps memberOf on people and on nested groups', async () => {
    const c = new Client({ url: ldap.url });
    await c.bind(ldap.rootDn, ldap.rootPassword);
    const person = (await c.search(userDn(5), { scope: 'base', attributes: ['memberOf'] })).searchEntries[0];
    const team = (await c.search(groupDn(teamOf(5)), { scope: 'base', attributes: ['memberOf'] })).searchEntries[0];
    await c.unbind();
    expect([person?.memberOf].flat().sort()).toEqual([groupDn(teamOf(5)), projectDn('project-atlas'), projectDn('project-zephyr')].sort());
    expect(team?.memberOf).toBe(groupDn(departmentOf(teamOf(5))));
  });

  it('with no group search at all, every group (and its nesting) comes from memberOf', async () => {
    const put = await stack.request('PUT', '/v1/directory/ldap', config({ groupSearch: false }));
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const bad = await stack.request('PUT', '/v1/directory/ldap', config({ groupSearch: false, attributes: { id: 'entryUUID', memberOf: null } }));
    expect(bad.status).toBe(400);

    const { report } = await sync();
    const expectedMemberships = range(USERS).reduce((n, i) => n + expectedGroups(i).length, 0);
    expect(report).toMatchObject({
      entries: { users: USERS, groups: 13 },
      users: { created: USERS, updated: 0, deactivated: 0, conflicts: 0 },
      groups: { created: 13, updated: 0, removed: 0 },
      memberships: { added: expectedMemberships, removed: 0 },
    });
    const got = await memberships();
    for (const i of range(USERS)) expect(got.get(idOf(i)), `user ${i}`).toEqual(expectedGroups(i));
    const u = await stack.request('GET', `/v1/users/${idOf(7)}`);
    expect(u.body).toMatchObject({ id: idOf(7), name: 'User 7', email: 'user007@corp.example', source: 'ldap' });
    expect((await stack.request('GET', '/v1/groups/all-projects')).body).toMatchObject({ id: 'all-projects', members: range(USERS).filter((i) => inAtlas(i) || inZephyr(i)).length });
  });

  it('a group search of ou=groups plus memberOf finds the same groups: nothing to change', async () => {
    expect((await stack.request('PUT', '/v1/directory/ldap', config({ groupSearch: true }))).status).toBe(200);
    const { report } = await sync();
    expect(report).toMatchObject({
      entries: { users: USERS, groups: 13 },
      users: { created: 0, updated: 0, deactivated: 0, unchanged: USERS },
      groups: { created: 0, updated: 0, removed: 0 },
      memberships: { added: 0, removed: 0 },
    });
  });

  it('changes made through group members reach the sync through memberOf; a renamed user keeps its stable id', async () => {
    expect((await stack.request('PUT', '/v1/directory/ldap', config({ groupSearch: false }))).status).toBe(200);
    expect(teamOf(10)).toBe('ops-sre');
    expect(teamOf(30)).toBe('eng-backend');
    await ldap.modify(
      [
        // user010 moves team; user020 leaves project-zephyr; user005 is renamed; user030 leaves.
        `dn: ${groupDn('ops-sre')}`,
        'changetype: modify',
        'delete: member',
        `member: ${userDn(10)}`,
        '',
        `dn: ${groupDn('eng-backend')}`,
        'changetype: modify',
        'add: member',
        `member: ${userDn(10)}`,
        '',
        `dn: ${projectDn('project-zephyr')}`,
        'changetype: modify',
        'delete: member',
        `member: ${userDn(20)}`,
        '',
        `dn: ${userDn(5)}`,
        'changetype: modrdn',
        'newrdn: uid=user005-renamed',
        'deleteoldrdn: 1',
        '',
        `dn: ${userDn(30)}`,
        'changetype: delete',
        '',
      ].join('\n'),
    );
    const { id, report } = await sync();
    expect(report).toMatchObject({
      entries: { users: USERS - 1, groups: 13 },
      users: { created: 0, updated: 1, deactivated: 1, reactivated: 0, unchanged: USERS - 2 },
      groups: { created: 0, updated: 0, removed: 0 },
      memberships: { added: 2, removed: 9 },
    });
    expect(await changes(id)).toEqual(
      [
        ['user_updated', idOf(5), null],
        ['user_deactivated', idOf(30), null],
        ['membership_added', idOf(10), 'eng-backend'],
        ['membership_added', idOf(10), 'eng'],
        ['membership_removed', idOf(10), 'ops-sre'],
        ['membership_removed', idOf(10), 'ops'],
        ['membership_removed', idOf(20), 'project-zephyr'],
        ['membership_removed', idOf(20), 'all-projects'],
        ...['eng-backend', 'eng', 'all-staff', 'project-zephyr', 'all-projects'].map((g): [string, string, string] => ['membership_removed', idOf(30), g]),
      ].sort(),
    );
    const renamed = (await stack.request('GET', `/v1/directory/ldap/syncs/${id}/changes?kind=user_updated`)).body.items[0];
    expect(renamed.detail).toEqual({ fields: { dn: { from: userDn(5).toLowerCase(), to: `uid=user005-renamed,${PEOPLE}`.toLowerCase() } } });
    // The same Herald user (its history stays with it), still in all its groups.
    expect((await stack.request('GET', `/v1/users/${idOf(5)}`)).body).toMatchObject({ active: true, groups: expectedGroups(5) });
  });

  it('without memberOf, the groups outside the group search are gone again', async () => {
    expect((await stack.request('PUT', '/v1/directory/ldap', config({ groupSearch: true, attributes: { id: 'entryUUID', memberOf: null } }))).status).toBe(200);
    const { report } = await sync();
    expect(report).toMatchObject({ entries: { groups: 10 }, groups: { removed: 3 }, memberships: { added: 0 } });
  });

  it("reads AD's binary objectGUID the way AD prints it", () => {
    // {01020304-0506-0708-090a-0b0c0d0e0f10}: Data1..Data3 little-endian on the wire, Data4 in order.
    const raw = Buffer.from([0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0x08, 0x07, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10]);
    expect(formatObjectGuid(raw)).toBe('01020304-0506-0708-090a-0b0c0d0e0f10');
    expect(formatObjectGuid(Buffer.alloc(15))).toBeNull();
  });
});
