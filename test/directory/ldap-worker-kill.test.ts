// A directory sync whose worker process is SIGKILLed mid-way (as in chaos scenario 1: the
// workers in a child process, the API in this one) and a new worker process started: the sync
// must finish with exactly the directory's users, groups and memberships, and a report that
// counts each change once — whatever the killed worker had committed or left half done.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type ChaosDatabase } from '../../chaos/lib/database.js';
import { startHerald, type Herald } from '../../chaos/lib/herald.js';
import { sleep, until } from '../../chaos/lib/processes.js';
import { startCaptureSmtp, type CaptureSmtp } from '../../local/capture-smtp.js';
import { startOpenLdap, type OpenLdap } from '../../local/openldap.js';
import { testContext } from '../chaos/context.js';
import { GROUPS, PEOPLE, seedLdif, SUFFIX } from './ldap-fixture.js';

const USERS = 2000;
const PAGE = 20;
const PAGES = USERS / PAGE;

describe('LDAP sync: worker process killed mid-sync', () => {
  let ldap: OpenLdap;
  let database: ChaosDatabase;
  let smtp: CaptureSmtp;
  let h: Herald;

  beforeAll(async () => {
    const ctx = testContext();
    [ldap, database, smtp] = await Promise.all([startOpenLdap({ seedLdif: seedLdif(USERS) }), createDatabase(), startCaptureSmtp({ envelopeOnly: true })]);
    h = await startHerald({ temporalAddress: ctx.temporalAddress, databaseUrl: database.url, smtp, bundlePath: ctx.bundlePath, workers: 'child' });
  });
  afterAll(async () => {
    await h?.stop();
    await smtp?.close();
    await database?.drop();
    await ldap?.stop();
  });

  it(`a sync of ${USERS} users in ${PAGES} pages resumes on a new worker after kill -9 and finishes exactly`, async () => {
    const put = await h.request('PUT', '/v1/directory/ldap', { url: ldap.url, bindDn: ldap.rootDn, bindSecret: ldap.rootPassword, baseDn: SUFFIX, userBaseDn: PEOPLE, groupBaseDn: GROUPS, pageSize: PAGE });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const started = await h.request('POST', '/v1/directory/ldap/syncs');
    expect(started.status).toBe(202);
    const id: string = started.body.id;
    const read = async () => (await h.request('GET', `/v1/directory/ldap/syncs/${id}`)).body;

    // Mid-way through applying the users, page by page.
    await until('pages applied before the kill', async () => ((await read())?.pagesApplied >= 10 ? true : undefined), 60_000, 10);
    await h.killWorkers();
    const t0 = Date.now();
    // A transaction the kill interrupted is rolled back by PostgreSQL when the connection drops; let it.
    await sleep(500);
    const atKill = await read();
    expect(atKill).toMatchObject({ status: 'running', phase: 'users' });
    expect(atKill.pagesApplied).toBeLessThan(PAGES);
    await sleep(1000);
    // No worker, no progress.
    expect((await read()).pagesApplied).toBe(atKill.pagesApplied);

    await h.startWorkers();
    const ready = Date.now() - t0;
    await until('progress on the new worker', async () => ((await read())?.pagesApplied > atKill.pagesApplied ? true : undefined), 90_000, 100);
    const resumed = Date.now() - t0;
    const done = await until('sync finished on the new worker', async () => {
      const s = await read();
      return s?.status === 'running' ? undefined : s;
    }, 90_000, 200);
    console.log(`[directory] worker SIGKILLed after ${atKill.pagesApplied}/${PAGES} pages; after the kill: new worker ready ${ready} ms, progress again ${resumed} ms, finished ${Date.now() - t0} ms`);
    expect(done.status, done.error).toBe('completed');
    expect(done.report).toMatchObject({
      entries: { users: USERS, groups: 10 },
      users: { created: USERS, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, conflicts: 0 },
      groups: { created: 10, updated: 0, removed: 0 },
      // A team, its department and all-staff for each person.
      memberships: { added: USERS * 3, removed: 0 },
    });
    // A page the killed worker had committed but not reported is applied again, finding nothing to change.
    expect(done.pagesApplied).toBeGreaterThanOrEqual(PAGES);
    expect(done.pagesApplied).toBeLessThanOrEqual(PAGES + 1);

    // The database holds exactly the directory: every person once, active, in their three groups.
    const users = await sql<{ n: string; active: string; ids: string }>`
      select count(*) as n, count(*) filter (where active) as active, count(distinct id) as ids from users where source = 'ldap'`.execute(h.db);
    expect(users.rows[0]).toEqual({ n: String(USERS), active: String(USERS), ids: String(USERS) });
    const members = await sql<{ n: string; per_user: string }>`
      select count(*) as n, count(*) filter (where c <> 3) as per_user from (select user_id, count(*) as c from user_groups group by user_id) m`.execute(h.db);
    expect(members.rows[0]).toEqual({ n: String(USERS), per_user: '0' });
    expect((await sql<{ n: string }>`select count(*) as n from user_groups`.execute(h.db)).rows[0]?.n).toBe(String(USERS * 3));
    // Each change recorded once: no duplicates from the step that was retried.
    const log = await sql<{ kind: string; n: string; distinct_targets: string }>`
      select kind, count(*) as n, count(distinct coalesce(user_id, '') || '/' || coalesce(group_id, '')) as distinct_targets
      from directory_sync_changes where sync_id = ${id} group by kind order by kind`.execute(h.db);
    expect(log.rows).toEqual([
      { kind: 'group_created', n: '10', distinct_targets: '10' },
      { kind: 'membership_added', n: String(USERS * 3), distinct_targets: String(USERS * 3) },
      { kind: 'user_created', n: String(USERS), distinct_targets: String(USERS) },
    ]);
    // Nothing staged is left behind.
    expect((await sql<{ n: string }>`select count(*) as n from directory_sync_entries where sync_id = ${id}`.execute(h.db)).rows[0]?.n).toBe('0');
  }, 150_000);
});
