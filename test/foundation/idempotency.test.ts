import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../helpers/stack.js';

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
    const third = await stack.request('POST', '/v1/notifications', body);
    expect(third.body.id).toBe(first.body.id);
    expect(third.body.status).toBe('completed');
    // Give a wrongly started second run time to send before counting.
    await new Promise((r) => setTimeout(r, 1000));
    expect(stack.smtp.mails().filter((m) => m.subject === 'Welcome, Once!')).toHaveLength(1);
  });

  it('the same key with a different body is a 409 and sends nothing', async () => {
    const a = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'A' }, idempotencyKey: 'k-2' });
    expect(a.status).toBe(202);
    const b = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'B' }, idempotencyKey: 'k-2' });
    expect(b.status).toBe(409);
    expect(b.body.error.code).toBe('idempotency_conflict');
    await waitForFinal(stack, a.body.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.mails().filter((m) => m.subject === 'Welcome, B!')).toHaveLength(0);
  });
});
