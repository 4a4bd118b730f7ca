import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationWrites } from '../../domain/notifications/writes.js';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('idempotency keys', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack);
  });
  afterAll(() => stack?.stop());

  it('the same key and body twice is one notification and one email', async () => {
    const body = { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Once' }, idempotencyKey: 'order-42' };
    const first = await stack.request('POST', '/v1/notifications', body);
    // Field order must not matter: the body is compared canonically.
    const second = await stack.request('POST', '/v1/notifications', { idempotencyKey: 'order-42', data: { name: 'Once' }, to: { userIds: ['ada'] }, template: 'welcome' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    await waitForFinal(stack, first.body.id);
    // A replay is the first answer as it was (draft-ietf-httpapi-idempotency-key-header); GET tells the state now.
    const third = await stack.request('POST', '/v1/notifications', body);
    expect(third.body).toEqual(first.body);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect((await stack.request('GET', `/v1/notifications/${first.body.id}`)).body.status).toBe('completed');
    // Give a wrongly started second run time to send before counting.
    await new Promise((r) => setTimeout(r, 1000));
    expect(stack.smtp.mails().filter((m) => m.subject === 'Welcome, Once!')).toHaveLength(1);
  });

  it('the same key with a different body is a 422 and sends nothing', async () => {
    const a = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'A' }, idempotencyKey: 'k-2' });
    expect(a.status).toBe(202);
    const b = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'B' }, idempotencyKey: 'k-2' });
    expect(b.status).toBe(422);
    expect(b.body.error.code).toBe('idempotency_key_reused');
    await waitForFinal(stack, a.body.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.mails().filter((m) => m.subject === 'Welcome, B!')).toHaveLength(0);
  });

  it('concurrent requests are grouped into one insert: a shared key is still one notification (the rest told it is in flight, 409), the others each their own', async () => {
    // Sent at once, these land in the same grouped insert (api/notification-writes.ts).
    const same = { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Burst' }, idempotencyKey: 'burst-1' };
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => stack.request('POST', '/v1/notifications', same)),
      ...Array.from({ length: 6 }, (_, i) => stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: `Own ${i}` } })),
    ]);
    const shared = answers.slice(0, 6);
    expect(shared.every((a) => a.status === 202 || (a.status === 409 && a.body.error.code === 'idempotency_key_in_flight')), JSON.stringify(shared.map((a) => a.status))).toBe(true);
    expect(answers.slice(6).map((a) => a.status)).toEqual(Array(6).fill(202));
    const sharedIds = new Set(shared.filter((a) => a.status === 202).map((a) => a.body.id));
    const ownIds = new Set(answers.slice(6).map((a) => a.body.id));
    expect(sharedIds.size).toBe(1);
    expect(ownIds.size).toBe(6);
    for (const id of [...sharedIds, ...ownIds]) await waitForFinal(stack, id);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.mails().filter((m) => m.subject === 'Welcome, Burst!')).toHaveLength(1);
    expect(stack.smtp.mails().filter((m) => m.subject?.startsWith('Welcome, Own '))).toHaveLength(6);
    // Each creation is audited once, with its run id recorded.
    const audits = await stack.db.selectFrom('audit_log').select('target_id').where('action', '=', 'notification.create').where('target_id', 'in', [...sharedIds, ...ownIds]).execute();
    expect(audits).toHaveLength(7);
    const runs = await stack.db.selectFrom('notifications').select('workflow_run_id').where('id', 'in', [...sharedIds, ...ownIds]).execute();
    expect(runs.every((r) => typeof r.workflow_run_id === 'string' && r.workflow_run_id.length > 0)).toBe(true);
  });

  it('a grouped insert that fails is retried row by row: only the bad row fails its request', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Template row' } });
    expect(sent.status).toBe(202);
    const { id: existingId, created_at: _c, updated_at: _u, completed_at: _d, workflow_run_id: _w, ...base } = await stack.db.selectFrom('notifications').selectAll().where('id', '=', sent.body.id).executeTakeFirstOrThrow();
    const row = (id: string) => ({ ...base, id, idempotency_key: null, audience: JSON.stringify(base.audience), data: JSON.stringify(base.data), escalation: null });
    const writes = notificationWrites(stack.db);
    // Called in one turn, both land in the same flush; the second reuses an existing id.
    const [good, bad] = await Promise.allSettled([writes.insert(row('ntf_grouped_good')), writes.insert(row(existingId))]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { created: true, row: { id: 'ntf_grouped_good' } } });
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/duplicate key/);
    expect(await stack.db.selectFrom('notifications').select('id').where('id', '=', 'ntf_grouped_good').executeTakeFirst()).toBeDefined();
  });
});

