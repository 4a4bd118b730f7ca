// A notification's delivery counts (notification_delivery_counts, kept by statement triggers
// on the ledger: the delivery-counts migration), on the machine's PostgreSQL: after every
// write path's status change, deletes, retention's row deletes and partition drops, and under
// concurrent grouped writes from several connections, they equal a fresh count of the ledger.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintainStorage } from '../../domain/storage/maintenance.js';
import { monthStart } from '../../domain/storage/retention.js';
import * as migration from '../../schema/migrations/2026-12-06T10-30-00_delivery-counts.js';
import type { Db } from '../../schema/database.js';
import { bounceDelivery, providerFeedback } from '../../schema/queries/bounces.js';
import {
  applyReceipt,
  claimDeliveries,
  claimDelivery,
  completeDeliveries,
  completeDelivery,
  expireDeliveries,
  failDelivery,
  insertDeliveries,
  markDeliveryRecalled,
  noteDeliveryRetry,
  recallDeliveries,
  suppressDelivery,
} from '../../schema/queries/deliveries.js';
import { countDeliveries, countDeliveriesMany, deleteNotification, emptyCounts } from '../../schema/queries/notifications.js';
import { failDueUnsent, suppressUnsent } from '../../schema/queries/orchestration.js';
import { applyEarlyReceipts, holdReceipt } from '../../schema/queries/receipts.js';
import { createMonthPartition, deleteTenantRowsBefore } from '../../schema/queries/storage.js';
import { insertTenantIfMissing, updateTenant } from '../../schema/queries/tenants.js';
import type { DeliveryCounts } from '../../schema/tables/statuses.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';

const TENANT = 'counts';
const DAY = 86_400_000;
const STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'complained', 'suppressed', 'expired', 'recalled'];

/** What the counts were before there was a table of them: the ledger's rows per status, counted now. */
async function countedNow(db: Db): Promise<Map<string, DeliveryCounts>> {
  const r = await sql<{ notification_id: string; status: string; n: number }>`select notification_id, status, count(*)::int as n from deliveries group by 1, 2`.execute(db);
  const out = new Map<string, DeliveryCounts>();
  for (const { notification_id, status, n } of r.rows) {
    const c = out.get(notification_id) ?? emptyCounts();
    c.total += n;
    if (status === 'pending' || status === 'sending') c.pending += n;
    else if (status in c) c[status as keyof DeliveryCounts] += n;
    out.set(notification_id, c);
  }
  return out;
}

/** Every notification's kept counts against a fresh count of its ledger rows. */
async function expectExact(db: Db): Promise<void> {
  const ids = (await db.selectFrom('notifications').select('id').execute()).map((r) => r.id);
  const counted = await countedNow(db);
  const kept = await countDeliveriesMany(db, ids);
  for (const id of ids) expect(kept.get(id), id).toEqual(counted.get(id) ?? emptyCounts());
}

/** The counts row's version: unchanged when a statement wrote nothing to it. */
async function rowVersion(db: Db, notificationId: string): Promise<string | undefined> {
  const r = await sql<{ v: string }>`select xmin::text as v from notification_delivery_counts where notification_id = ${notificationId}`.execute(db);
  return r.rows[0]?.v;
}

describe('delivery counts kept by PostgreSQL', () => {
  let t: TestDatabase;
  let db: Db;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    await insertTenantIfMissing(db, { id: TENANT, name: TENANT, timezone: 'UTC' });
    await insertTenantIfMissing(db, { id: `${TENANT}-b`, name: `${TENANT}-b`, timezone: 'UTC' });
  });
  afterAll(() => t?.drop());

  async function notification(opts: { tenantId?: string; createdAt?: Date } = {}): Promise<string> {
    const id = `ntf_counts_${String(++seq).padStart(4, '0')}`;
    const createdAt = opts.createdAt ?? new Date();
    await db
      .insertInto('notifications')
      .values({ id, tenant_id: opts.tenantId ?? TENANT, template_key: 'welcome', template_version: 1, kind: 'bulk', priority: 'low', category: null, status: 'sending', status_reason: null, audience: JSON.stringify({ all: true }), data: JSON.stringify({}), channels: ['email'], send_at: null, expires_at: null, idempotency_key: null, request_hash: id, created_by: null, workflow_run_id: null, created_at: createdAt, completed_at: null })
      .execute();
    return id;
  }

  /** `n` email deliveries of the notification (pending unless `status` says), to users u0…; their ids. */
  async function deliveries(notificationId: string, n: number, opts: { tenantId?: string; status?: string } = {}): Promise<string[]> {
    const users = Array.from({ length: n }, (_, i) => `u${i}`);
    const ids = users.map((u) => `dlv_${notificationId}_${u}`);
    await insertDeliveries(
      db,
      users.map((u, i) => ({ id: ids[i] ?? '', tenant_id: opts.tenantId ?? TENANT, notification_id: notificationId, user_id: u, channel: 'email', address: `${u}@example.com`, status: opts.status ?? 'pending', message_id: `<${ids[i]}@test>` })),
    );
    return ids;
  }

  it('counts inserted rows, and a retried insert of the same targets adds nothing', async () => {
    const none = await notification();
    expect(await countDeliveries(db, none)).toEqual(emptyCounts());
    const id = await notification();
    await deliveries(id, 7);
    expect(await countDeliveries(db, id)).toEqual({ ...emptyCounts(), total: 7, pending: 7 });
    // The same users again (as a retried activity writes them), under other ids: the ledger keeps the first rows.
    await insertDeliveries(db, [0, 1, 2].map((i) => ({ id: `dlv_retry_${i}`, tenant_id: TENANT, notification_id: id, user_id: `u${i}`, channel: 'email', address: null, status: 'pending', message_id: `<retry${i}@test>` })));
    expect(await countDeliveries(db, id)).toEqual({ ...emptyCounts(), total: 7, pending: 7 });
    await expectExact(db);
  });

  it('follows every status change the write paths make, and a change the counts cannot see writes nothing', async () => {
    const id = await notification();
    const ids = await deliveries(id, 10);
    const at = (i: number) => ids[i] ?? '';
    const step = async (expected: Partial<DeliveryCounts>) => {
      expect(await countDeliveries(db, id)).toEqual({ ...emptyCounts(), total: 10, ...expected });
      await expectExact(db);
    };

    // Claiming (pending to sending) and an update of other columns leave the counts row alone.
    const before = await rowVersion(db, id);
    expect(await claimDeliveries(db, ids.slice(0, 9))).toHaveLength(9);
    expect(await claimDelivery(db, at(9))).toBeDefined();
    await db.updateTable('deliveries').set({ updated_at: new Date() }).where('notification_id', '=', id).execute();
    expect(await rowVersion(db, id)).toBe(before);
    await step({ pending: 10 });

    await completeDeliveries(db, [0, 1, 2, 3, 4].map((i) => ({ id: at(i), completion: { provider: 'smtp', providerMessageId: `pm-${i}` } })));
    await step({ pending: 5, sent: 5 });
    await completeDelivery(db, at(5), { provider: 'smtp', providerMessageId: 'pm-5' });
    await step({ pending: 4, sent: 6 });
    // A transient error puts a row back to pending: no change to the counts.
    await noteDeliveryRetry(db, at(6), 'timeout', 'ETIMEDOUT', 'smtp');
    await step({ pending: 4, sent: 6 });
    await failDelivery(db, at(6), 'refused', '550', 'smtp');
    await step({ pending: 3, sent: 6, failed: 1 });
    await suppressDelivery(db, at(7), 'no_identity');
    await step({ pending: 2, sent: 6, failed: 1, suppressed: 1 });
    await noteDeliveryRetry(db, at(8), 'timeout', 'ETIMEDOUT');
    await expireDeliveries(db, id, 'expired before it could be sent', at(8));
    await step({ pending: 1, sent: 6, failed: 1, suppressed: 1, expired: 1 });

    // Provider receipts, a bounce, a complaint (counted in the total only, as before).
    expect(await applyReceipt(db, TENANT, 'smtp', 'pm-0', { status: 'delivered' })).toBeDefined();
    await step({ pending: 1, sent: 5, delivered: 1, failed: 1, suppressed: 1, expired: 1 });
    expect(await applyReceipt(db, TENANT, 'smtp', 'pm-1', { status: 'failed', reason: 'undeliverable' })).toBeDefined();
    await step({ pending: 1, sent: 4, delivered: 1, failed: 2, suppressed: 1, expired: 1 });
    expect(await bounceDelivery(db, at(2), { reason: 'mailbox unknown', code: '5.1.1' })).toBeDefined();
    await step({ pending: 1, sent: 3, delivered: 1, failed: 2, bounced: 1, suppressed: 1, expired: 1 });
    expect(await providerFeedback(db, { tenantId: TENANT, provider: 'smtp', providerMessageId: 'pm-3' }, { status: 'complained', reason: 'spam', code: null })).toBeDefined();
    await step({ pending: 1, sent: 2, delivered: 1, failed: 2, bounced: 1, suppressed: 1, expired: 1 });

    // A receipt that came before its send was recorded applies with the completion.
    await holdReceipt(db, { tenantId: TENANT, provider: 'smtp', providerMessageId: 'pm-9' }, { status: 'delivered' });
    await completeDeliveries(db, [{ id: at(9), completion: { provider: 'smtp', providerMessageId: 'pm-9' } }]);
    await step({ pending: 0, sent: 3, delivered: 1, failed: 2, bounced: 1, suppressed: 1, expired: 1 });
    expect(await applyEarlyReceipts(db, [at(9)])).toEqual([at(9)]);
    await step({ pending: 0, sent: 2, delivered: 2, failed: 2, bounced: 1, suppressed: 1, expired: 1 });

    // Recall: one row, then the rest of the channel's sent and delivered rows.
    expect(await markDeliveryRecalled(db, at(4), 'recalled by the sender')).toBe(true);
    await step({ sent: 1, delivered: 2, failed: 2, bounced: 1, suppressed: 1, expired: 1, recalled: 1 });
    expect(await recallDeliveries(db, TENANT, id, 'email')).toBe(3);
    await step({ failed: 2, bounced: 1, suppressed: 1, expired: 1, recalled: 4 });
  });

  it('follows the run’s whole-notification changes: cancel suppresses what is unsent, running out of rounds fails what is due', async () => {
    const id = await notification();
    const ids = await deliveries(id, 6);
    await claimDeliveries(db, ids.slice(0, 2));
    expect(await suppressUnsent(db, id, 'cancelled')).toBe(4);
    expect(await countDeliveries(db, id)).toEqual({ ...emptyCounts(), total: 6, pending: 2, suppressed: 4 });
    expect(await failDueUnsent(db, id, 'out of rounds', new Date())).toBe(2);
    expect(await countDeliveries(db, id)).toEqual({ ...emptyCounts(), total: 6, failed: 2, suppressed: 4 });
    await expectExact(db);
  });

  it('counts deleted rows out, and a deleted notification takes its counts along', async () => {
    const id = await notification({ tenantId: `${TENANT}-b` });
    await deliveries(id, 5, { tenantId: `${TENANT}-b`, status: 'sent' });
    expect(await deleteTenantRowsBefore(db, 'deliveries', `${TENANT}-b`, new Date(Date.now() + DAY), 2)).toBe(2);
    expect(await countDeliveries(db, id)).toEqual({ ...emptyCounts(), total: 3, sent: 3 });
    await expectExact(db);
    await deleteNotification(db, `${TENANT}-b`, id);
    expect(await db.selectFrom('notification_delivery_counts').select('notification_id').where('notification_id', '=', id).execute()).toEqual([]);
    expect(await countDeliveries(db, id)).toEqual(emptyCounts());
    await expectExact(db);
  });

  it('keeps the counts when rows a missing month sent to the default partition move into the month’s partition', async () => {
    const far = new Date(monthStart(new Date(), 7).getTime() + 10 * DAY);
    const id = await notification({ createdAt: far });
    await deliveries(id, 4);
    const where = await sql<{ p: string }>`select distinct tableoid::regclass::text as p from deliveries where notification_id = ${id}`.execute(db);
    expect(where.rows).toEqual([{ p: 'deliveries_default' }]);
    expect(await createMonthPartition(db, 'deliveries', far)).toBe(4);
    expect(await countDeliveries(db, id)).toEqual({ ...emptyCounts(), total: 4, pending: 4 });
    await expectExact(db);
  });

  it('stays exact through retention: rows deleted past a tenant’s retention count out, a dropped month takes its notifications’ counts along', async () => {
    const now = new Date();
    const old = new Date(Date.UTC(2025, 0, 15));
    await createMonthPartition(db, 'deliveries', old);
    await updateTenant(db, TENANT, { retention_days: 30 });
    await updateTenant(db, `${TENANT}-b`, { retention_days: 1095 });
    const aOld = await notification({ createdAt: old });
    await deliveries(aOld, 4, { status: 'sent' });
    const aRecent = await notification({ createdAt: new Date(now.getTime() - 60 * DAY) });
    await deliveries(aRecent, 3, { status: 'delivered' });
    const bOld = await notification({ tenantId: `${TENANT}-b`, createdAt: old });
    await deliveries(bOld, 5, { tenantId: `${TENANT}-b`, status: 'failed' });
    const bNew = await notification({ tenantId: `${TENANT}-b` });
    await deliveries(bNew, 2, { tenantId: `${TENANT}-b` });
    const options = { now, monthsAhead: 3, batchSize: 1000, maxBatches: 10 };

    // B keeps three years, so January 2025 stays, and A's old rows go row by row.
    const first = await maintainStorage({ db }, options);
    expect(first.dropped).toEqual([]);
    expect(await countDeliveries(db, aOld)).toEqual(emptyCounts());
    expect(await countDeliveries(db, aRecent)).toEqual(emptyCounts());
    expect(await countDeliveries(db, bOld)).toEqual({ ...emptyCounts(), total: 5, failed: 5 });
    await expectExact(db);

    // Now the month is past every tenant's retention: dropped whole, no trigger fires, and its counts go with it.
    await updateTenant(db, `${TENANT}-b`, { retention_days: 180 });
    const second = await maintainStorage({ db }, options);
    expect(second.dropped).toContain('deliveries_p202501');
    expect(await countDeliveries(db, bOld)).toEqual(emptyCounts());
    const left = await db.selectFrom('notification_delivery_counts').select('notification_id').where('notification_id', 'in', [aOld, bOld]).execute();
    expect(left).toEqual([]);
    expect(await countDeliveries(db, bNew)).toEqual({ ...emptyCounts(), total: 2, pending: 2 });
    await expectExact(db);
    await updateTenant(db, TENANT, { retention_days: 180 });
  });

  it('backfills from the ledger when the migration runs, and its down drops what it added', async () => {
    const id = await notification();
    const ids = await deliveries(id, 6);
    await migration.down(db);
    const left = await sql<{ tables: string | null; functions: string | null; triggers: number }>`
      select to_regclass('notification_delivery_counts')::text as tables, to_regproc('herald_count_deliveries')::text as functions,
        (select count(*)::int from pg_trigger where tgrelid = 'deliveries'::regclass and not tgisinternal) as triggers`.execute(db);
    expect(left.rows).toEqual([{ tables: null, functions: null, triggers: 0 }]);
    // Written while nothing kept the counts.
    await db.updateTable('deliveries').set({ status: 'sent' }).where('id', 'in', ids.slice(0, 4)).execute();
    await deliveries(await notification(), 3);
    await db.transaction().execute((tx) => migration.up(tx));
    expect(await countDeliveries(db, id)).toEqual({ ...emptyCounts(), total: 6, pending: 2, sent: 4 });
    await expectExact(db);
  });

  it('stays exact under concurrent grouped writes on shared rows of shared notifications from several connections, rolled-back ones included', async () => {
    const ids: string[] = [];
    const notifications: string[] = [];
    for (let n = 0; n < 6; n++) {
      const id = await notification();
      notifications.push(id);
      ids.push(...(await deliveries(id, 150)));
    }
    // Seeded (mulberry32), so a failing sequence can be replayed.
    let seed = 42;
    const next = (k: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4_294_967_296) * k);
    };
    const pick = (k: number) => [...new Set(Array.from({ length: 1 + next(k) }, () => ids[next(ids.length)] ?? ''))];
    const status = () => STATUSES[next(STATUSES.length)] ?? 'sent';
    // Each statement locks its ledger rows in id order first: two statements taking shared rows
    // in different orders deadlock on those rows, counts or not. What is left to collide on is
    // the counts rows, and the triggers take them in one order.
    const locked = (group: string[]) => sql`select id, notification_created_at from deliveries where id = any(${group}::text[]) order by id for update`;
    const stats = { statements: 0, rolledBack: 0 };
    const deadline = Date.now() + 4000;

    const one = async (w: number, i: number): Promise<void> => {
      const op = next(10);
      if (op < 3) {
        // Every row of the group to one status (some already in it).
        await sql`with l as materialized (${locked(pick(60))})
          update deliveries as d set status = ${status()}, updated_at = now() from l where d.id = l.id and d.notification_created_at = l.notification_created_at`.execute(db);
      } else if (op < 6) {
        // Each row its own status, as a grouped completion writes them.
        const group = pick(60);
        await sql`with l as materialized (${locked(group)})
          update deliveries as d set status = v.status from l join unnest(${group}::text[], ${group.map(status)}::text[]) as v(id, status) on v.id = l.id
          where d.id = l.id and d.notification_created_at = l.notification_created_at`.execute(db);
      } else if (op < 8) {
        // In a transaction that goes on after the write; one in three rolls back.
        const rollback = next(3) === 0;
        const group = pick(30);
        await db
          .transaction()
          .execute(async (tx) => {
            await sql`with l as materialized (${locked(group)})
              update deliveries as d set status = 'sent' from l where d.id = l.id and d.notification_created_at = l.notification_created_at and d.status in ('pending', 'sending')`.execute(tx);
            await sql`select pg_sleep(0.005)`.execute(tx);
            if (rollback) throw new Error('rollback');
          })
          .catch((e: unknown) => {
            if (!(e instanceof Error && e.message === 'rollback')) throw e;
            stats.rolledBack++;
          });
      } else if (op < 9) {
        // New rows, some of them targets that exist already (in target order, like any insert that meets others).
        const notificationId = notifications[next(notifications.length)] ?? '';
        const users = [...new Set(Array.from({ length: 1 + next(20) }, (_, k) => (k % 2 === 0 ? `u${next(150)}` : `w${w}_${i}_${k}`)))].sort();
        await insertDeliveries(
          db,
          users.map((u, k) => ({ id: `dlv_new_${w}_${i}_${k}`, tenant_id: TENANT, notification_id: notificationId, user_id: u, channel: 'email', address: null, status: status(), message_id: `<new_${w}_${i}_${k}@test>` })),
        );
      } else {
        await sql`with l as materialized (${locked(pick(10))})
          delete from deliveries as d using l where d.id = l.id and d.notification_created_at = l.notification_created_at`.execute(db);
      }
      stats.statements++;
    };

    // A deadlock fails the test (its error is not caught).
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let i = 0; Date.now() < deadline; i++) await one(w, i);
      }),
    );
    console.log('concurrent ledger writes', stats);
    expect(stats.statements).toBeGreaterThan(50);
    expect(stats.rolledBack).toBeGreaterThan(0);
    await expectExact(db);
  });

  it('statements writing the same notifications in opposite orders lock their counts in one order, and do not deadlock', async () => {
    const ns: string[] = [];
    const rows: { a: string; b: string }[] = [];
    for (let k = 0; k < 6; k++) {
      const n = await notification();
      const [a, b] = await deliveries(n, 2, { status: 'sent' });
      ns.push(n);
      rows.push({ a: a ?? '', b: b ?? '' });
    }
    const [lowest, ...others] = [...ns].sort();
    const clients = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const c = new pg.Client({ connectionString: t.url });
        await c.connect();
        return c;
      }),
    );
    const [holder, first, second, probe] = clients as [pg.Client, pg.Client, pg.Client, pg.Client];
    // Each statement one row of every notification, in opposite orders.
    const mine = { first: rows.map((r) => r.a), second: rows.map((r) => r.b).reverse() };
    const update = (c: pg.Client, ids: string[], status: string) => c.query(`update deliveries as d set status = $2 from unnest($1::text[]) with ordinality as v(id, o) where d.id = v.id`, [ids, status]);
    try {
      // The lowest notification's counts row is held: both statements wait for it before taking any other.
      await holder.query('begin');
      await holder.query('select 1 from notification_delivery_counts where notification_id = $1 for update', [lowest]);
      const pids = await Promise.all([first, second].map(async (c) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid));
      const running = [update(first, mine.first, 'delivered'), update(second, mine.second, 'delivered')];
      await expect
        .poll(async () => (await probe.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where pid = any($1) and wait_event_type = 'Lock'`, [pids])).rows[0]?.n)
        .toBe(2);
      // Neither holds another notification's row while it waits.
      await probe.query('begin');
      await probe.query('select 1 from notification_delivery_counts where notification_id = any($1) for update nowait', [others]);
      await probe.query('rollback');
      await holder.query('commit');
      await Promise.all(running);
      for (const n of ns) expect(await countDeliveries(db, n)).toEqual({ ...emptyCounts(), total: 2, delivered: 2 });

      // And racing, many times over, with no lock held first.
      let deadlocks = 0;
      const flip = async (c: pg.Client, ids: string[], k: number) => {
        try {
          await update(c, ids, k % 2 === 0 ? 'sent' : 'delivered');
        } catch (e) {
          if ((e as { code?: string }).code === '40P01') deadlocks++;
          else throw e;
        }
      };
      for (let k = 0; k < 200; k++) await Promise.all([flip(first, mine.first, k), flip(second, mine.second, k)]);
      expect(deadlocks).toBe(0);
      await expectExact(db);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('empties with the ledger when it is truncated', async () => {
    expect((await db.selectFrom('notification_delivery_counts').select('notification_id').execute()).length).toBeGreaterThan(0);
    await sql`truncate deliveries`.execute(db);
    expect(await db.selectFrom('notification_delivery_counts').select('notification_id').execute()).toEqual([]);
    await expectExact(db);
  });
});
