import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Responder } from '../../local/capture-smtp.js';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

// The SMTP server is told per recipient how to answer, like a real server would.
const responder: Responder = (stage, { to, attempt }) => {
  if (stage === 'rcpt' && to.startsWith('flaky@') && attempt <= 2) return { code: 451, message: '4.3.0 Try again later' };
  if (stage === 'rcpt' && to.startsWith('gone@')) return { code: 550, message: '5.1.1 No such user here' };
  if (stage === 'rcpt' && to.startsWith('busy@')) return { code: 421, message: '4.7.0 Service not available' };
  return undefined;
};

describe('SMTP refusals', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ smtp: { respond: responder } });
    await seedEmail(stack, { userId: 'flaky', email: 'flaky@example.com' });
    await stack.request('PUT', '/v1/users/gone', { email: 'gone@example.com' });
    await stack.request('PUT', '/v1/users/busy', { email: 'busy@example.com' });
  });
  afterAll(() => stack?.stop());

  it('a temporary 4xx is retried with backoff until the server accepts', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['flaky'] }, data: { name: 'F' } });
    expect(res.status).toBe(202);
    const done = await waitForFinal(stack, res.body.id);
    expect(done.status).toBe('completed');
    const { items } = (await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`)).body;
    expect(items[0]).toMatchObject({ status: 'sent', attempts: 3, reason: null });
    expect(stack.smtp.mails().filter((m) => m.envelopeTo.includes('flaky@example.com'))).toHaveLength(1);
  });

  it('a permanent 5xx fails at once with the SMTP reason recorded, not retried', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['gone'] }, data: { name: 'G' } });
    const done = await waitForFinal(stack, res.body.id);
    expect(done.status).toBe('failed');
    expect(done.counts).toMatchObject({ total: 1, failed: 1, sent: 0 });
    const { items } = (await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`)).body;
    expect(items[0]).toMatchObject({ status: 'failed', attempts: 1, errorCode: '550' });
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-email-permanent-failure-local-bookkeeping');
    expect(items[0].reason).toContain('5.1.1 No such user here');
  });

  it('a server that keeps refusing temporarily ends failed after the configured attempts, with its last reply', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['busy'] }, data: { name: 'B' } });
    const done = await waitForFinal(stack, res.body.id);
    expect(done.status).toBe('failed');
    const { items } = (await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`)).body;
    expect(items[0].status).toBe('failed');
    expect(items[0].attempts).toBe(Number(stack.config.timings.retryMaxAttempts));
    expect(items[0].reason).toContain('4.7.0 Service not available');
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-email-retries-exhausted-local-bookkeeping');
  });

  it('a time-limited message is never sent after it expires', async () => {
    await stack.request('PUT', '/v1/users/busy2', { email: 'busy@example.org' });
    // Refused on every attempt; attempts run at about 0, 0.1, 0.3 and 0.7 s, so the
    // expiry at 0.3 s falls before retries run out.
    const expiresAt = new Date(Date.now() + 300).toISOString();
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['busy2'] }, data: { name: 'OTP' }, expiresAt });
    expect(res.status).toBe(202);
    const done = await waitForFinal(stack, res.body.id);
    expect(done.status).toBe('expired');
    expect(done.counts).toMatchObject({ expired: 1, sent: 0 });
    const { items } = (await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`)).body;
    expect(items[0].reason).toMatch(/expired/);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-email-expired-local-bookkeeping');
  });
});
