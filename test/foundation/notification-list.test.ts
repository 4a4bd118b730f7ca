import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('listing notifications', () => {
  let stack: TestStack;
  const ids: Record<string, string> = {};
  let between: string;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack, { template: 'welcome', userId: 'ada' });
    await seedEmail(stack, { template: 'receipt', userId: 'bob' });
    const send = async (name: string, body: Record<string, unknown>) => {
      const r = await stack.request('POST', '/v1/notifications', body);
      expect(r.status).toBe(202);
      ids[name] = r.body.id;
    };
    await send('highAda', { template: 'welcome', to: { userIds: ['ada'] }, priority: 'high', category: 'security', data: { name: 'needle-42' } });
    between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await send('lowBob', { template: 'receipt', to: { userIds: ['bob'] }, priority: 'low', category: 'billing', data: { name: 'Bob' } });
    await send('medBoth', { template: 'welcome', to: { userIds: ['ada', 'bob'] }, idempotencyKey: 'order_100%', data: { name: 'x' } });
    for (const id of Object.values(ids)) await waitForFinal(stack, id);
  });
  afterAll(() => stack?.stop());

  const list = async (qs: string) => {
    const r = await stack.request('GET', `/v1/notifications${qs}`);
    expect(r.status).toBe(200);
    return r.body.items.map((n: { id: string }) => n.id);
  };

  it('lists newest first with counts', async () => {
    expect(await list('')).toEqual([ids.medBoth, ids.lowBob, ids.highAda]);
    const r = await stack.request('GET', '/v1/notifications');
    expect(r.body.items[0].counts).toMatchObject({ total: 2, sent: 2 });
  });

  it('each filter narrows the list', async () => {
    expect(await list('?priority=high')).toEqual([ids.highAda]);
    expect(await list('?category=billing')).toEqual([ids.lowBob]);
    expect(await list('?template=welcome')).toEqual([ids.medBoth, ids.highAda]);
    expect(await list('?userId=bob')).toEqual([ids.medBoth, ids.lowBob]);
    expect(await list('?channel=email&status=completed')).toHaveLength(3);
    expect(await list('?channel=sms')).toEqual([]);
    expect(await list(`?from=${encodeURIComponent(between)}`)).toEqual([ids.medBoth, ids.lowBob]);
    expect(await list(`?to=${encodeURIComponent(between)}`)).toEqual([ids.highAda]);
    expect(await list('?q=needle-42')).toEqual([ids.highAda]);
    // LIKE wildcards in q are literal characters, not patterns.
    expect(await list('?q=order_100%25')).toEqual([ids.medBoth]);
    expect(await list('?q=%25')).toEqual([ids.medBoth]);
  });

  it('pages with a cursor', async () => {
    const first = await stack.request('GET', '/v1/notifications?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await stack.request('GET', `/v1/notifications?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((n: { id: string }) => n.id)).toEqual([ids.highAda]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('rejects bad filters with 400', async () => {
    expect((await stack.request('GET', '/v1/notifications?priority=urgent')).status).toBe(400);
    expect((await stack.request('GET', '/v1/notifications?from=yesterday')).status).toBe(400);
    expect((await stack.request('GET', '/v1/notifications?limit=1000')).status).toBe(400);
  });

  it('deleting a finished notification removes it from lists and reads, and is audited', async () => {
    expect((await stack.request('DELETE', `/v1/notifications/${ids.lowBob}`)).status).toBe(204);
    expect(await list('')).toEqual([ids.medBoth, ids.highAda]);
    expect((await stack.request('GET', `/v1/notifications/${ids.lowBob}`)).status).toBe(404);
    expect((await stack.request('DELETE', `/v1/notifications/${ids.lowBob}`)).status).toBe(404);
    const audit = await stack.request('GET', '/v1/audit-log?limit=1');
    expect(audit.body.items[0]).toMatchObject({ action: 'notification.delete', targetId: ids.lowBob });
  });

  it('a notification still waiting cannot be deleted', async () => {
    const later = await stack.request('POST', '/v1/notifications', {
      template: 'welcome',
      to: { userIds: ['ada'] },
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const del = await stack.request('DELETE', `/v1/notifications/${later.body.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('not_finished');
    await stack.client.workflow.getHandle(later.body.id).terminate('test cleanup');
  });
});
