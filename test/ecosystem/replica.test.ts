// DATABASE_REPLICA_URL: list and audit-log reads go to a real streaming replica, while writes
// and reads by id (read-your-writes) stay on the primary. Pausing the replica's WAL replay
// makes the routing visible: a fresh write is on the primary but not yet in the lists.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { bootstrapAdminKey } from '../../domain/access/bootstrap.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { createLogger } from '../../common/logger.js';
import { createDb, migrateToLatest } from '../../schema/connect.js';
import type { Db } from '../../schema/database.js';
import { ADMIN_KEY } from '../../testkit/stack.js';
import { pgQuery, startReplicatedPg, type ReplicatedPg } from './pg-replica.js';

describe('read replica', () => {
  let pgs: ReplicatedPg;
  let db: Db;
  let dbRead: Db;
  let api: ApiServer;
  let connection: Connection;
  let client: Client;
  const started: string[] = [];
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    pgs = await startReplicatedPg();
    await pgQuery(pgs.primary.url('postgres'), 'create database herald');
    db = createDb(pgs.primary.url('herald'), { applicationName: 'herald-api' });
    await migrateToLatest(db);
    await bootstrapAdminKey(db, ADMIN_KEY);
    await pgs.waitForReplay();
    dbRead = createDb(pgs.replica.url('herald'), { applicationName: 'herald-api-read' });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection });
    // No workers: these runs only need to start; the test terminates them at the end.
    const taskQueuePrefix = `r${randomBytes(4).toString('hex')}`;
    api = await startApiServer(
      { db, dbRead, temporal: { client, namespace: 'default', taskQueuePrefix, uiUrl: 'http://localhost:8233' }, timings: { retryInitialMs: 100, retryMaxIntervalMs: 500, retryMaxAttempts: 2, deliveryTimeoutMs: 5000, recallWaitMs: 5000 }, publicUrl: 'http://localhost:3000', logger: createLogger('silent', 'replica-test') },
      0,
      '127.0.0.1',
    );
    expect((await request('PUT', '/v1/templates/welcome', { email: { subject: 'Hi {{name}}', text: 'Hello {{name}}' } })).status).toBe(201);
    expect((await request('POST', '/v1/templates/welcome/publish')).status).toBe(201);
    expect((await request('PUT', '/v1/users/ada', { email: 'ada@example.com' })).status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(started.map((id) => client?.workflow.getHandle(id).terminate('test over').catch(() => undefined)));
    await api?.close();
    await connection?.close();
    await dbRead?.destroy();
    await db?.destroy();
    await pgs?.stop();
  });

  const send = async (name: string) => {
    const r = await request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name } });
    expect(r.status).toBe(202);
    started.push(r.body.id);
    return r.body.id as string;
  };
  const listed = async () => ((await request('GET', '/v1/notifications')).body.items as { id: string }[]).map((n) => n.id);
  const audited = async () => ((await request('GET', '/v1/audit-log')).body.items as { action: string; targetId: string }[]).map((e) => `${e.action}:${e.targetId}`);

  it('the replica is a real hot standby: read-only, streaming from the primary', async () => {
    const [state] = await pgQuery<{ in_recovery: boolean }>(pgs.replica.url('herald'), 'select pg_is_in_recovery() as in_recovery');
    expect(state?.in_recovery).toBe(true);
    const senders = await pgQuery<{ state: string }>(pgs.primary.url('postgres'), 'select state from pg_stat_replication');
    expect(senders.map((s) => s.state)).toEqual(['streaming']);
    await expect(pgQuery(pgs.replica.url('herald'), "insert into tenants (id, name, timezone) values ('x', 'x', 'UTC')")).rejects.toThrow(/read-only/);
  });

  it('serves lists from the replica and reads by id from the primary', async () => {
    const first = await send('one');
    await pgs.waitForReplay();
    expect(await listed()).toContain(first);

    await pgs.pauseReplay();
    try {
      const second = await send('two');
      const key = await request('POST', '/v1/api-keys', { name: 'while paused', scopes: ['read'] });
      expect(key.status).toBe(201);
      // Read-your-writes: the id just returned is found at once, on the primary.
      const byId = await request('GET', `/v1/notifications/${second}`);
      expect(byId.status).toBe(200);
      expect(byId.body.id).toBe(second);
      // The list and the audit log come from the replica, which has not replayed them yet.
      expect(await listed()).toEqual([first]);
      expect(await audited()).not.toContain(`api_key.create:${key.body.id}`);

      await pgs.resumeReplay();
      await pgs.waitForReplay();
      expect(await listed()).toEqual([second, first]);
      expect(await audited()).toContain(`api_key.create:${key.body.id}`);
    } finally {
      await pgs.resumeReplay();
    }
    // The reads above really arrived on the replica, on the API's read pool.
    const apps = await pgQuery<{ application_name: string }>(pgs.replica.url('postgres'), "select application_name from pg_stat_activity where datname = 'herald'");
    expect(apps.map((a) => a.application_name)).toContain('herald-api-read');
  });
});
