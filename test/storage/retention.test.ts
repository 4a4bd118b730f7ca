// Monthly partitions and retention of the ledger, the log and the events, on the real
// PostgreSQL, with the maintenance job of the worker set started against the real Temporal
// server (workers/storage-maintenance.ts).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintainStorage } from '../../domain/storage/maintenance.js';
import { RETENTION_DEFAULT_DAYS, RETENTION_MAX_DAYS, monthStart } from '../../domain/storage/retention.js';
import { insertDeliveries } from '../../schema/queries/deliveries.js';
import { insertDeliveryEvents } from '../../schema/queries/delivery-events.js';
import { insertLogEntries } from '../../schema/queries/delivery-log.js';
import { createMonthPartition, listMonthPartitions, type PartitionedTable } from '../../schema/queries/storage.js';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const TABLES: PartitionedTable[] = ['deliveries', 'delivery_log', 'delivery_events'];
const DAY = 86_400_000;
const partitionOf = (table: string, at: Date) => `${table}_p${at.toISOString().slice(0, 7).replace('-', '')}`;

describe('storage: monthly partitions and retention', () => {
  let stack: TestStack;
  let tenantB: { key: string; request: (method: string, path: string, body?: unknown) => ReturnType<TestStack['request']> };
  let seq = 0;

  beforeAll(async () => {
    // The timer is off; each test runs the job's pass itself, at the time it needs.
    stack = await startStack({ env: { HERALD_STORAGE_MAINTENANCE_INTERVAL_SECONDS: '0' } });
    await seedEmail(stack, { userId: 'ada' });
    const created = await stack.request('POST', '/v1/tenants', { id: 'retention-b', name: 'Retention B' });
    expect(created.status).toBe(201);
    const key = created.body.adminKey.key as string;
    tenantB = { key, request: (method, path, body) => stack.request(method, path, body, { key }) };
  });
  afterAll(() => stack?.stop());

  const job = () => {
    const storage = stack.workers.storage;
    if (!storage) throw new Error('the worker set has no storage maintenance');
    return storage;
  };

  /** A notification of `tenantId` created at `createdAt`, with `users` deliveries, a log entry each and an event each. */
  async function seedNotification(tenantId: string, createdAt: Date, users: number): Promise<string> {
    const id = `ntf_retention_${String(++seq).padStart(4, '0')}`;
    await stack.db
      .insertInto('notifications')
      .values({ id, tenant_id: tenantId, template_key: 'welcome', template_version: 1, kind: 'bulk', priority: 'low', category: null, status: 'completed', status_reason: null, audience: JSON.stringify({ all: true }), data: JSON.stringify({}), channels: ['email'], send_at: null, expires_at: null, idempotency_key: null, request_hash: id, created_by: null, workflow_run_id: null, created_at: createdAt, completed_at: createdAt })
      .execute();
    const ids = Array.from({ length: users }, (_, i) => `dlv_${id}_${i}`);
    await insertDeliveries(
      stack.db,
      ids.map((d, i) => ({ id: d, tenant_id: tenantId, notification_id: id, user_id: `u${i}`, channel: 'email', address: `u${i}@example.com`, status: 'sent', message_id: `<${d}@test>` })),
    );
    await insertLogEntries(
      stack.db,
      ids.map((d, i) => ({ event_key: `${d}:sent`, tenant_id: tenantId, notification_id: id, delivery_id: d, user_id: `u${i}`, channel: 'email', event: 'sent', attempt: 1, provider: 'smtp', reason: null, error_code: null, details: null })),
    );
    await insertDeliveryEvents(
      stack.db,
      ids.map((d, i) => ({ event_id: `${d}:sent`, type: 'sent', at: new Date(createdAt.getTime() + 60_000), tenant_id: tenantId, notification_id: id, delivery_id: d, user_id: `u${i}`, template_key: 'welcome', template_version: 1, channel: 'email', provider: 'smtp', priority: 'low', category: null, module: null, created_to_sent_ms: 60_000, sent_to_delivered_ms: null, error_code: null, error_reason: null })),
    );
    return id;
  }

  async function rowsOf(notificationId: string): Promise<Record<PartitionedTable, number>> {
    const out = {} as Record<PartitionedTable, number>;
    for (const t of TABLES) {
      const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)} where notification_id = ${notificationId}`.execute(stack.db);
      out[t] = r.rows[0]?.n ?? -1;
    }
    return out;
  }

  async function partitionsOfRows(table: PartitionedTable, notificationId: string): Promise<string[]> {
    const r = await sql<{ p: string }>`select distinct tableoid::regclass::text as p from ${sql.table(table)} where notification_id = ${notificationId}`.execute(stack.db);
    return r.rows.map((x) => x.p);
  }

  it('keeps partitions ready for the coming months, and a new tenant gets the default retention', async () => {
    const now = new Date();
    const r = await job().run(now);
    expect(r.ran).toBe(true);
    for (const t of TABLES) {
      const names = (await listMonthPartitions(stack.db, t)).map((p) => p.name);
      for (let i = 0; i <= stack.config.storageMaintenance.monthsAhead; i++) expect(names).toContain(partitionOf(t, monthStart(now, i)));
    }
    // A pass a month later creates the month that came into reach, and only that.
    const later = await job().run(monthStart(now, 1));
    expect(later.created.sort()).toEqual(TABLES.map((t) => partitionOf(t, monthStart(now, 1 + stack.config.storageMaintenance.monthsAhead))).sort());
    expect((await tenantB.request('GET', '/v1/tenant')).body.retentionDays).toBe(RETENTION_DEFAULT_DAYS);
  });

  it('puts a sent notification’s ledger, log and events rows in the partition of its month, none in the default', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    expect(sent.status).toBe(202);
    const done = await waitForFinal(stack, sent.body.id);
    expect(done.counts.sent).toBe(1);
    await stack.workers.relay?.drain();
    const month = partitionOf('x', new Date(done.createdAt)).slice(2);
    expect(await partitionsOfRows('deliveries', sent.body.id)).toEqual([`deliveries_${month}`]);
    expect(await partitionsOfRows('delivery_log', sent.body.id)).toEqual([`delivery_log_${month}`]);
    const events = await sql<{ p: string; at: Date }>`select tableoid::regclass::text as p, at from delivery_events where notification_id = ${sent.body.id}`.execute(stack.db);
    expect(events.rows.length).toBeGreaterThan(0);
    for (const e of events.rows) expect(e.p).toBe(partitionOf('delivery_events', e.at));
    const r = await job().run(new Date());
    expect(r.defaultRows).toEqual({ deliveries: 0, delivery_log: 0, delivery_events: 0 });
  });

  it('reports rows a missing month sent to the default partition, and moves them into the month when it is created', async () => {
    const now = new Date();
    const far = new Date(monthStart(now, 6).getTime() + 14 * DAY);
    const id = await seedNotification('default', far, 3);
    expect(await partitionsOfRows('deliveries', id)).toEqual(['deliveries_default']);
    const before = await job().run(now);
    expect(before.defaultRows).toEqual({ deliveries: 3, delivery_log: 3, delivery_events: 3 });
    // Three months on, the month is within reach: it is created with the rows moved into it.
    const after = await job().run(monthStart(now, 3));
    expect(after.movedFromDefault).toBe(9);
    expect(after.defaultRows).toEqual({ deliveries: 0, delivery_log: 0, delivery_events: 0 });
    for (const t of TABLES) expect(await partitionsOfRows(t, id)).toEqual([partitionOf(t, far)]);
    // A retried insert of the same target still meets its row (the ledger's uniqueness holds in the partition).
    await insertDeliveries(stack.db, [{ id: 'dlv_other', tenant_id: 'default', notification_id: id, user_id: 'u0', channel: 'email', address: null, status: 'pending', message_id: '<other@test>' }]);
    expect((await rowsOf(id)).deliveries).toBe(3);
  });

  it('refuses a retention outside its range with a 400 naming the field', async () => {
    for (const bad of [0, RETENTION_MAX_DAYS + 1, 1.5, '30']) {
      const r = await stack.request('PATCH', '/v1/tenant', { retentionDays: bad });
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain('retentionDays');
    }
  });

  it('deletes only the tenant’s rows past its own retention, drops a month once it is past every tenant’s, and a purged notification reads as purged', async () => {
    const now = new Date();
    const old = new Date(Date.UTC(2025, 0, 15));
    const recent = new Date(now.getTime() - 60 * DAY);
    for (const t of TABLES) {
      await createMonthPartition(stack.db, t, old);
      await createMonthPartition(stack.db, t, recent);
    }
    expect((await stack.request('PATCH', '/v1/tenant', { retentionDays: 30 })).body.retentionDays).toBe(30);
    expect((await tenantB.request('PATCH', '/v1/tenant', { retentionDays: RETENTION_MAX_DAYS })).body.retentionDays).toBe(RETENTION_MAX_DAYS);
    const aOld = await seedNotification('default', old, 4);
    const aRecent = await seedNotification('default', recent, 4);
    const bOld = await seedNotification('retention-b', old, 5);
    const bRecent = await seedNotification('retention-b', recent, 5);
    for (const t of TABLES) expect(await partitionsOfRows(t, aOld)).toEqual([partitionOf(t, t === 'delivery_events' ? new Date(old.getTime() + 60_000) : old)]);

    const first = await job().run(now);
    // B keeps three years: January 2025 stays, and only A's rows go (in batches).
    expect(first.dropped).toEqual([]);
    expect(first.deleted).toEqual({ deliveries: 8, delivery_log: 8, delivery_events: 8 });
    expect(await rowsOf(aOld)).toEqual({ deliveries: 0, delivery_log: 0, delivery_events: 0 });
    expect(await rowsOf(aRecent)).toEqual({ deliveries: 0, delivery_log: 0, delivery_events: 0 });
    expect(await rowsOf(bOld)).toEqual({ deliveries: 5, delivery_log: 5, delivery_events: 5 });
    expect(await rowsOf(bRecent)).toEqual({ deliveries: 5, delivery_log: 5, delivery_events: 5 });

    // A's purged notification reads as purged; its lists are empty, not an error.
    const purged = await stack.request('GET', `/v1/notifications/${aOld}`);
    expect(purged.status).toBe(200);
    expect(purged.body.purgedAt).not.toBeNull();
    expect(purged.body.counts.total).toBe(0);
    for (const path of ['deliveries', 'events']) {
      const list = await stack.request('GET', `/v1/notifications/${aOld}/${path}`);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
    }
    // Tenant isolation: B's notification is whole, and A's key cannot see it at all.
    const kept = await tenantB.request('GET', `/v1/notifications/${bOld}`);
    expect(kept.body).toMatchObject({ purgedAt: null, counts: { total: 5, sent: 5 } });
    expect((await stack.request('GET', `/v1/notifications/${bOld}`)).status).toBe(404);

    // B shortens its retention: the month is now past everyone's and is dropped whole.
    await tenantB.request('PATCH', '/v1/tenant', { retentionDays: 180 });
    const second = await job().run(now);
    expect(second.dropped.sort()).toEqual(TABLES.map((t) => partitionOf(t, old)).sort());
    expect(await rowsOf(bOld)).toEqual({ deliveries: 0, delivery_log: 0, delivery_events: 0 });
    expect(await rowsOf(bRecent)).toEqual({ deliveries: 5, delivery_log: 5, delivery_events: 5 });
    expect((await tenantB.request('GET', `/v1/notifications/${bOld}`)).body.purgedAt).not.toBeNull();
    expect((await tenantB.request('GET', `/v1/notifications/${bRecent}`)).body.purgedAt).toBeNull();
    for (const t of TABLES) expect((await listMonthPartitions(stack.db, t)).map((p) => p.name)).not.toContain(partitionOf(t, old));
  });

  it('deletes in bounded batches and carries on in the next pass', async () => {
    const now = new Date();
    const recent = new Date(now.getTime() - 60 * DAY);
    const id = await seedNotification('retention-b', new Date(recent.getTime() + 1000), 5);
    await tenantB.request('PATCH', '/v1/tenant', { retentionDays: 30 });
    const opts = { now, monthsAhead: 3, batchSize: 2, maxBatches: 2 };
    const first = await maintainStorage({ db: stack.db }, opts);
    expect(first.more).toBe(true);
    // bRecent's 5 rows and these 5: at most 2 batches of 2 per table in one pass.
    expect(first.deleted).toEqual({ deliveries: 4, delivery_log: 4, delivery_events: 4 });
    expect((await tenantB.request('GET', `/v1/notifications/${id}`)).body.purgedAt).toBeNull();
    let passes = 1;
    for (let r = first; r.more; passes++) r = await maintainStorage({ db: stack.db }, opts);
    expect(passes).toBe(3);
    expect(await rowsOf(id)).toEqual({ deliveries: 0, delivery_log: 0, delivery_events: 0 });
    expect((await tenantB.request('GET', `/v1/notifications/${id}`)).body.purgedAt).not.toBeNull();
  });

  it('deletes a tenant’s webhook deliveries and their attempt log past its own retention, by the event’s time, and no other tenant’s', async () => {
    const now = new Date();
    expect((await stack.request('PATCH', '/v1/tenant', { retentionDays: 30 })).body.retentionDays).toBe(30);
    expect((await tenantB.request('PATCH', '/v1/tenant', { retentionDays: RETENTION_MAX_DAYS })).body.retentionDays).toBe(RETENTION_MAX_DAYS);
    const endpointOf = async (request: (m: string, p: string, b?: unknown) => ReturnType<TestStack['request']>) => {
      const r = await request('POST', '/v1/webhooks', { url: 'https://hooks.example.com/herald', eventTypes: ['delivery.sent'] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const endpoints = { default: await endpointOf((m, p, b) => stack.request(m, p, b)), 'retention-b': await endpointOf(tenantB.request) };
    const seedHooks = async (tenantId: 'default' | 'retention-b', eventAt: Date, tag: string) => {
      const rows = await stack.db
        .insertInto('webhook_deliveries')
        .values([0, 1, 2].map((i) => ({ endpoint_id: endpoints[tenantId], tenant_id: tenantId, event_id: `evt_${tag}_${i}`, topic: 'delivery.sent', body: '{}', event_at: eventAt, status: 'delivered', attempts: 1 })))
        .returning('id')
        .execute();
      await stack.db
        .insertInto('webhook_attempts')
        .values(rows.map((r, i) => ({ endpoint_id: endpoints[tenantId], delivery_id: r.id, event_id: `evt_${tag}_${i}`, status_code: 204, latency_ms: 3, error: null, response_excerpt: null })))
        .execute();
    };
    await seedHooks('default', new Date(now.getTime() - 40 * DAY), 'a-old');
    await seedHooks('default', new Date(now.getTime() - 10 * DAY), 'a-recent');
    await seedHooks('retention-b', new Date(now.getTime() - 40 * DAY), 'b-old');
    const left = async (tag: string) => ({
      deliveries: (await stack.db.selectFrom('webhook_deliveries').select('id').where('event_id', 'like', `evt_${tag}_%`).execute()).length,
      attempts: (await stack.db.selectFrom('webhook_attempts').select('id').where('event_id', 'like', `evt_${tag}_%`).execute()).length,
    });

    const r = await job().run(now);
    expect(r.webhookDeliveriesDeleted).toBe(3);
    expect(await left('a-old')).toEqual({ deliveries: 0, attempts: 0 });
    expect(await left('a-recent')).toEqual({ deliveries: 3, attempts: 3 });
    expect(await left('b-old')).toEqual({ deliveries: 3, attempts: 3 });
  });
});
