// LDAP sync against a real OpenLDAP server (Debian's slapd on a loopback port) seeded with a
// few hundred people in nested groups: a full sync, an incremental one that applies exactly
// the changes made in the directory, and a sync that survives its worker being stopped.
import { ScheduleNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySyncStart } from '../../domain/runs/definitions.js';
import { startOpenLdap, type OpenLdap } from '../../local/openldap.js';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';
import { departmentOf, GROUPS, groupDn, PEOPLE, seedLdif, SUFFIX, teamOf, userDn, userLdif } from './ldap-fixture.js';

const USERS = 300;

interface Change {
  kind: string;
  userId: string | null;
  groupId: string | null;
  detail: Record<string, unknown> | null;
}

describe('LDAP / Active Directory sync', () => {
  let ldap: OpenLdap;
  let stack: TestStack;
  const config = () => ({
    url: ldap.url,
    bindDn: ldap.rootDn,
    baseDn: SUFFIX,
    userBaseDn: PEOPLE,
    groupBaseDn: GROUPS,
    pageSize: 100,
  });

  async function runSync(): Promise<{ id: string; report: any; wallMs: number }> {
    const started = Date.now();
    const r = await stack.request('POST', '/v1/directory/ldap/syncs');
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const done = await waitForSync(r.body.id);
    return { id: r.body.id, report: done.report, wallMs: Date.now() - started };
  }

  async function waitForSync(id: string, timeoutMs = 60_000): Promise<any> {
    const done = await eventually(async () => {
      const s = await stack.request('GET', `/v1/directory/ldap/syncs/${id}`);
      return s.status === 200 && s.body.status !== 'running' ? s.body : undefined;
    }, timeoutMs);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    return done;
  }

  async function changes(id: string): Promise<Change[]> {
    const out: Change[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Change[]; nextCursor: string | null } } = await stack.request('GET', `/v1/directory/ldap/syncs/${id}/changes?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      out.push(...page.body.items.map(({ kind, userId, groupId, detail }) => ({ kind, userId, groupId, detail })));
      cursor = page.body.nextCursor;
    } while (cursor);
    return out;
  }

  async function membersOf(group: string): Promise<string[]> {
    const rows = await sql<{ user_id: string }>`select user_id from user_groups where group_id = ${group} order by user_id`.execute(stack.db);
    return rows.rows.map((r) => r.user_id);
  }

  beforeAll(async () => {
    [ldap, stack] = await Promise.all([startOpenLdap({ seedLdif: seedLdif(USERS) }), startStack()]);
  });
  afterAll(async () => {
    await stack?.stop();
    await ldap?.stop();
  });

  it('stores the config with the bind secret sealed, and never returns it', async () => {
    const missing = await stack.request('PUT', '/v1/directory/ldap', config());
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('bind_secret_required');
    const put = await stack.request('PUT', '/v1/directory/ldap', { ...config(), bindSecret: ldap.rootPassword });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ url: ldap.url, bindSecretSet: true, attributes: { id: 'uid', email: 'mail', phone: 'mobile', locale: 'preferredLanguage', memberOf: 'memberOf' } });
    const text = JSON.stringify((await stack.request('GET', '/v1/directory/ldap')).body);
    expect(text).not.toContain(ldap.rootPassword);
    const stored = await sql<{ bind_secret_sealed: string }>`select bind_secret_sealed from directory_configs`.execute(stack.db);
    expect(stored.rows[0]?.bind_secret_sealed).toMatch(/^v1:/);
    expect(stored.rows[0]?.bind_secret_sealed).not.toContain(ldap.rootPassword);
  });

  let fullSyncId = '';
  it(`a full sync of ${USERS} users in nested groups`, async () => {
    const { id, report, wallMs } = await runSync();
    fullSyncId = id;
    console.log(`[directory] full sync of ${USERS} users / 10 groups: ${report.durationMs} ms (workflow), ${wallMs} ms (API to completed)`);
    expect(report).toMatchObject({
      entries: { users: USERS, groups: 10 },
      users: { created: USERS, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, conflicts: 0 },
      groups: { created: 10, updated: 0, removed: 0 },
      // Each person is in a team, its department and all-staff: nesting flattened.
      memberships: { added: USERS * 3, removed: 0 },
    });
    const u = await stack.request('GET', '/v1/users/user007');
    expect(u.body).toMatchObject({ id: 'user007', name: 'User 7', email: 'user007@corp.example', phone: '+15550100007', locale: 'zh-CN', source: 'ldap', active: true });
    expect(u.body.groups).toEqual(['all-staff', departmentOf(teamOf(7)), teamOf(7)].sort());
    expect(await membersOf('all-staff')).toHaveLength(USERS);
    expect(await membersOf('eng')).toHaveLength(USERS / 3);
    // Directory users are read-only through the users API.
    const put = await stack.request('PUT', '/v1/users/user007', { name: 'Changed' });
    expect(put.status).toBe(409);
    expect(put.body.error.code).toBe('directory_managed');
    expect((await stack.request('DELETE', '/v1/groups/eng')).body.error.code).toBe('directory_managed');
    const list = await stack.request('GET', '/v1/directory/ldap/syncs');
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([id]);
    await recordHistoryIfAsked(stack.client, directorySyncStart('default', id, stack.config.taskQueuePrefix).workflowId, 'directory-sync');
  });

  it('an incremental sync applies exactly the directory changes: a move, a removal, an attribute', async () => {
    // user010 moves from its team to eng-backend; user020 leaves the company; user030 gets a new address.
    const from = teamOf(10);
    expect(from).toBe('ops-sre');
    await ldap.modify(
      [
        `dn: ${groupDn(from)}`,
        'changetype: modify',
        'delete: member',
        `member: ${userDn(10)}`,
        '',
        `dn: ${groupDn('eng-backend')}`,
        'changetype: modify',
        'add: member',
        `member: ${userDn(10)}`,
        '',
        `dn: ${userDn(20)}`,
        'changetype: delete',
        '',
        `dn: ${groupDn(teamOf(20))}`,
        'changetype: modify',
        'delete: member',
        `member: ${userDn(20)}`,
        '',
        `dn: ${userDn(30)}`,
        'changetype: modify',
        'replace: mail',
        'mail: user030@new.example',
        '',
      ].join('\n'),
    );

    const { id, report } = await runSync();
    expect(report).toMatchObject({
      entries: { users: USERS - 1, groups: 10 },
      users: { created: 0, updated: 1, deactivated: 1, reactivated: 0, unchanged: USERS - 2, conflicts: 0 },
      groups: { created: 0, updated: 0, removed: 0 },
      memberships: { added: 2, removed: 5 },
    });
    const got = (await changes(id)).map((c) => [c.kind, c.userId, c.groupId]).sort();
    expect(got).toEqual(
      [
        ['user_updated', 'user030', null],
        ['user_deactivated', 'user020', null],
        ['membership_added', 'user010', 'eng-backend'],
        ['membership_added', 'user010', 'eng'],
        ['membership_removed', 'user010', 'ops-sre'],
        ['membership_removed', 'user010', 'ops'],
        ['membership_removed', 'user020', teamOf(20)],
        ['membership_removed', 'user020', departmentOf(teamOf(20))],
        ['membership_removed', 'user020', 'all-staff'],
      ].sort(),
    );
    const updated = (await changes(id)).find((c) => c.kind === 'user_updated');
    expect(updated?.detail).toEqual({ fields: { email: { from: 'user030@corp.example', to: 'user030@new.example' } } });

    // Deactivated, not deleted: the row (and so its history) stays.
    const gone = await stack.request('GET', '/v1/users/user020');
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ active: false, groups: [] });
    expect((await stack.request('GET', '/v1/users/user010')).body.groups).toEqual(['all-staff', 'eng', 'eng-backend']);
    expect((await stack.request('GET', '/v1/users/user030')).body.email).toBe('user030@new.example');
    // The first sync's report is still readable.
    expect((await stack.request('GET', `/v1/directory/ldap/syncs/${fullSyncId}`)).body.report.users.created).toBe(USERS);

    // Nothing changed since: the next sync changes nothing.
    const again = await runSync();
    expect(again.report).toMatchObject({ users: { created: 0, updated: 0, deactivated: 0, unchanged: USERS - 1 }, memberships: { added: 0, removed: 0 } });
  });

  it('a sync interrupted by stopping its worker gracefully resumes on a new worker and finishes correctly (kill -9: ldap-worker-kill.test.ts)', async () => {
    const added = Array.from({ length: 50 }, (_, k) => USERS + 1 + k);
    await ldap.modify(
      [...added.map((i) => userLdif(i, true)), [`dn: ${groupDn('eng-frontend')}`, 'changetype: modify', 'add: member', ...added.map((i) => `member: ${userDn(i)}`), ''].join('\n')].join('\n'),
    );
    // Small pages: many steps, so the stop lands in the middle.
    expect((await stack.request('PUT', '/v1/directory/ldap', { ...config(), pageSize: 10 })).status).toBe(200);

    const r = await stack.request('POST', '/v1/directory/ldap/syncs');
    expect(r.status).toBe(202);
    const id: string = r.body.id;
    await eventually(async () => {
      const s = await stack.request('GET', `/v1/directory/ldap/syncs/${id}`);
      return s.body?.pagesApplied >= 2 ? true : undefined;
    }, 30_000, 10);
    await stack.workers.stop();
    const stopped = (await stack.request('GET', `/v1/directory/ldap/syncs/${id}`)).body;
    expect(stopped.status).toBe('running');
    expect(stopped.pagesApplied).toBeLessThan(35);
    await new Promise((res) => setTimeout(res, 500));
    expect((await stack.request('GET', `/v1/directory/ldap/syncs/${id}`)).body.pagesApplied).toBe(stopped.pagesApplied);

    await stack.startWorkers();
    const done = await waitForSync(id);
    console.log(`[directory] interrupted sync: stopped after ${stopped.pagesApplied} of 35 pages, finished on a new worker; ${done.report.durationMs} ms in all`);
    expect(done.report).toMatchObject({
      entries: { users: USERS - 1 + 50, groups: 10 },
      users: { created: 50, updated: 0, deactivated: 0, reactivated: 0, unchanged: USERS - 1, conflicts: 0 },
      memberships: { added: 150, removed: 0 },
    });
    expect(done.pagesApplied).toBe(35);
    const counts = await sql<{ n: string; active: string }>`select count(*) as n, count(*) filter (where active) as active from users where source = 'ldap'`.execute(stack.db);
    expect(counts.rows[0]).toEqual({ n: String(USERS + 50), active: String(USERS + 49) });
    expect(await membersOf('all-staff')).toHaveLength(USERS - 1 + 50);
    expect((await changes(id)).filter((c) => c.kind === 'user_created')).toHaveLength(50);
  });

  it('runs on a Temporal Schedule', async () => {
    const put = await stack.request('PUT', '/v1/directory/ldap', { ...config(), schedule: { cron: '0 3 * * *', timezone: 'Asia/Shanghai' } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.schedule.nextRuns.length).toBeGreaterThan(0);
    await stack.client.schedule.getHandle('herald-directory-sync:default').trigger();
    const sync = await eventually(async () => {
      const list = await stack.request('GET', '/v1/directory/ldap/syncs');
      const s = list.body.items.find((x: { trigger: string; status: string }) => x.trigger === 'schedule' && x.status !== 'running');
      return s;
    });
    expect(sync.status).toBe('completed');
    expect(sync.report.users).toMatchObject({ created: 0, updated: 0, deactivated: 0, unchanged: USERS + 49 });

    await stack.request('PUT', '/v1/directory/ldap', config());
    await expect(stack.client.schedule.getHandle('herald-directory-sync:default').describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('a wrong bind secret fails the sync with the reason, without retrying forever', async () => {
    expect((await stack.request('PUT', '/v1/directory/ldap', { ...config(), bindSecret: 'wrong' })).status).toBe(200);
    const r = await stack.request('POST', '/v1/directory/ldap/syncs');
    const failed = await eventually(async () => {
      const s = await stack.request('GET', `/v1/directory/ldap/syncs/${r.body.id}`);
      return s.status !== 200 || s.body.status === 'running' ? undefined : s.body;
    });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/invalid credentials/);
    // Nothing was deactivated by a sync that could not read the directory.
    expect((await stack.request('GET', '/v1/users/user001')).body.active).toBe(true);
  });
});
