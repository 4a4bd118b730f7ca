// POST /v1/notifications/batch through the whole stack: each item accepted or refused on its
// own, accepted items delivered to the SMTP server the test starts, a retry of the whole
// batch safe, and a Temporal outage in the middle of a batch (a TCP proxy in front of the
// real Temporal server is cut) failing only the items it caught, with 503.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer } from '../../api/server.js';
import { createHeraldClient } from '../../sdk/src/index.js';
import { createLogger } from '../../common/logger.js';
import { ADMIN_KEY, eventually, seedEmail, startStack, waitForAllFinal, waitForFinal, type TestStack } from '../../testkit/stack.js';

/** A TCP proxy to the Temporal frontend that can be cut: every connection closed, new ones refused. */
async function startCuttableProxy(target: string): Promise<{ address: string; cut(): void; close(): Promise<void> }> {
  const [host, port] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port: own } = server.address() as { port: number };
  const cut = () => {
    server.close();
    for (const s of sockets) s.destroy();
  };
  return { address: `127.0.0.1:${own}`, cut, close: async () => cut() };
}

describe('POST /v1/notifications/batch', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada' });
  });
  afterAll(() => stack?.stop());

  const mailTo = (address: string) => stack.smtp.mails().filter((m) => m.envelopeTo.includes(address));

  it('one result per item: accepted items are delivered, a bad one fails only itself, and a retry of the whole batch is safe', async () => {
    const batch = {
      notifications: [
        { template: 'welcome', to: { recipients: [{ email: 'b1@example.com' }] }, data: { name: 'B1' }, idempotencyKey: 'batch-1' },
        { template: 'no-such-template', to: { userIds: ['ada'] }, idempotencyKey: 'batch-2' },
        { to: { userIds: ['ada'] }, idempotencyKey: 'batch-3' },
        { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'no key' } },
        { template: 'welcome', to: { recipients: [{ email: 'bad-address' }] }, idempotencyKey: 'batch-5' },
        { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' }, idempotencyKey: 'batch-6' },
      ],
    };
    const r = await stack.request('POST', '/v1/notifications/batch', batch);
    expect(r.status, JSON.stringify(r.body)).toBe(207);
    expect(r.body.results.map((x: { index: number; status: number }) => [x.index, x.status])).toEqual([
      [0, 202],
      [1, 422],
      [2, 400],
      [3, 400],
      [4, 422],
      [5, 202],
    ]);
    expect(r.body).toMatchObject({ accepted: 2, refused: 4 });
    expect(r.body.results[1].error).toMatchObject({ code: 'template_not_found', requestId: expect.any(String) });
    expect(r.body.results[2].error.details).toContainEqual(expect.objectContaining({ path: 'notifications.2.template' }));
    expect(r.body.results[3].error.details).toContainEqual(expect.objectContaining({ path: 'notifications.3.idempotencyKey' }));
    expect(r.body.results[4].error).toMatchObject({ code: 'invalid_recipient', message: 'to.recipients[0].email: "bad-address" is not an email address' });

    const first = r.body.results[0].notification;
    const sixth = r.body.results[5].notification;
    expect(first).toMatchObject({ status: 'scheduled', idempotencyKey: 'batch-1' });
    await Promise.all([waitForFinal(stack, first.id, 60_000), waitForFinal(stack, sixth.id, 60_000)]);
    expect(mailTo('b1@example.com').map((m) => m.subject)).toEqual(['Welcome, B1!']);
    expect(mailTo('ada@example.com').map((m) => m.subject)).toEqual(['Welcome, Ada!']);

    // The same batch again: the same notifications, nothing sent twice.
    const again = await stack.request('POST', '/v1/notifications/batch', batch);
    expect(again.status).toBe(207);
    expect(again.body.results.map((x: { status: number }) => x.status)).toEqual([202, 422, 400, 400, 422, 202]);
    expect(again.body.results[0].notification).toMatchObject({ id: first.id, status: 'completed', counts: { sent: 1 } });
    expect(again.body.results[5].notification.id).toBe(sixth.id);
    const rows = await stack.db.selectFrom('notifications').select('idempotency_key').where('idempotency_key', 'in', ['batch-1', 'batch-6']).execute();
    expect(rows).toHaveLength(2);
    expect(mailTo('b1@example.com')).toHaveLength(1);
    expect(mailTo('ada@example.com')).toHaveLength(1);

    // The same key with another body is that item's own 409.
    const conflict = await stack.request('POST', '/v1/notifications/batch', { notifications: [{ ...batch.notifications[0], data: { name: 'changed' } }] });
    expect(conflict.body.results[0]).toMatchObject({ status: 409, error: { code: 'idempotency_conflict' } });
  });

  it('the SDK sends a batch and reads each result', async () => {
    const herald = createHeraldClient({ baseUrl: stack.api.url, apiKey: ADMIN_KEY });
    const r = await herald.notifications.batch({
      notifications: [
        { template: 'welcome', to: { recipients: [{ email: 'sdk1@example.com', data: { name: 'One' } }] }, data: {}, idempotencyKey: 'sdk-1' },
        { template: 'welcome', to: { recipients: [{ email: 'sdk2@example.com', data: { name: 'Two' } }] }, data: {}, idempotencyKey: 'sdk-2' },
      ],
    });
    expect(r).toMatchObject({ accepted: 2, refused: 0 });
    await Promise.all(r.results.map((x) => waitForFinal(stack, x.notification?.id ?? '', 60_000)));
    expect([...mailTo('sdk1@example.com'), ...mailTo('sdk2@example.com')].map((m) => m.subject)).toEqual(['Welcome, One!', 'Welcome, Two!']);
  });

  it('400 for an empty batch or one over 1,000 items', async () => {
    expect((await stack.request('POST', '/v1/notifications/batch', { notifications: [] })).status).toBe(400);
    const item = { template: 'welcome', to: { userIds: ['ada'] }, idempotencyKey: 'x' };
    const tooMany = await stack.request('POST', '/v1/notifications/batch', { notifications: Array.from({ length: 1001 }, () => item) });
    expect(tooMany.status).toBe(400);
    expect(await stack.db.selectFrom('notifications').select('id').where('idempotency_key', '=', 'x').execute()).toHaveLength(0);
  });

  it('Temporal cut off mid-batch: the items it caught and those after get 503, the others stay accepted; the retried batch with the same keys delivers every item exactly once', async () => {
    const proxy = await startCuttableProxy(inject('temporalAddress'));
    const connection = await Connection.connect({ address: proxy.address, connectTimeout: 1000 });
    const api = await startApiServer(
      {
        db: stack.db,
        temporal: { client: new Client({ connection, namespace: 'default' }), namespace: 'default', taskQueuePrefix: stack.config.taskQueuePrefix, uiUrl: 'http://localhost:8233' },
        timings: stack.config.timings,
        publicUrl: stack.config.publicUrl,
        logger: createLogger('silent', 'test'),
      },
      0,
      '127.0.0.1',
    );
    const n = 120;
    const batch = {
      notifications: Array.from({ length: n }, (_, i) => ({ template: 'welcome', to: { recipients: [{ email: `o${i}@example.com` }] }, data: { name: `o${i}` }, idempotencyKey: `outage-${i}` })),
    };
    let first: { status: number; body: { results: { index: number; status: number; notification?: { id: string }; error?: { code: string } }[] } };
    try {
      const pending = fetch(`${api.url}/v1/notifications/batch`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
      // Cut once some items are in: the rest of the batch meets the outage.
      await eventually(async () => {
        const r = await stack.db.selectFrom('notifications').select('id').where('idempotency_key', 'like', 'outage-%').where('workflow_run_id', 'is not', null).execute();
        return r.length >= 5 ? true : undefined;
      }, 30_000, 5);
      proxy.cut();
      const res = await pending;
      first = { status: res.status, body: (await res.json()) as typeof first.body };
    } finally {
      await api.close();
      await connection.close().catch(() => {});
      await proxy.close();
    }
    expect(first.status).toBe(207);
    const accepted = first.body.results.filter((r) => r.status === 202);
    const unavailable = first.body.results.filter((r) => r.status === 503);
    console.log(`batch of ${n} with Temporal cut mid-way: ${accepted.length} accepted, ${unavailable.length} got 503`);
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(accepted.length + unavailable.length).toBe(n);
    expect(new Set(unavailable.map((r) => r.error?.code))).toEqual(new Set(['dependency_unavailable']));
    // Accepted: stored and running (the real Temporal knows the run). Caught by the outage while
    // being started: the row stays (the start may have reached Temporal), so that the retry
    // finds it. Not yet begun when the outage was seen: refused at once, nothing stored.
    for (const r of accepted) expect((await stack.client.workflow.getHandle(r.notification?.id ?? '').describe()).workflowId).toBe(r.notification?.id);
    const kept = await stack.db
      .selectFrom('notifications')
      .select(['id', 'idempotency_key'])
      .where('idempotency_key', 'in', unavailable.map((r) => `outage-${r.index}`))
      .execute();
    expect(kept.length).toBeLessThanOrEqual(16); // at most the items in flight (16 lanes)
    const keptId = new Map(kept.map((k) => [k.idempotency_key, k.id]));
    console.log(`rows kept for 503 items caught while starting: ${kept.length}`);

    // The client retries the whole batch once Temporal is reachable again.
    const retry = await stack.request('POST', '/v1/notifications/batch', batch);
    expect(retry.body.results.map((r: { status: number }) => r.status)).toEqual(Array(n).fill(202));
    for (const r of accepted) expect(retry.body.results[r.index].notification.id).toBe(r.notification?.id);
    for (const r of unavailable) {
      const id = keptId.get(`outage-${r.index}`);
      if (id) expect(retry.body.results[r.index].notification.id).toBe(id);
    }
    const ids: string[] = retry.body.results.map((r: { notification: { id: string } }) => r.notification.id);
    const stuck = await waitForAllFinal(stack, ids, 180_000);
    if (stuck.length > 0) console.log('not final:', JSON.stringify(await stack.db.selectFrom('notifications').select(['id', 'status', 'workflow_run_id', 'idempotency_key', 'created_at']).where('id', 'in', stuck).execute()));
    expect(stuck).toEqual([]);
    for (let i = 0; i < n; i++) expect(mailTo(`o${i}@example.com`), `o${i}`).toHaveLength(1);
  }, 300_000);
});
