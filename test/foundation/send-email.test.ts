import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('one notification travels end to end', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada', email: 'Ada@Example.com' });
  });
  afterAll(() => stack?.stop());

  it('renders, sends through SMTP with a stable Message-ID, and completes with one sent delivery', async () => {
    const res = await stack.request('POST', '/v1/notifications', {
      template: 'welcome',
      to: { userIds: ['ada'] },
      data: { name: 'Ada <script>alert(1)</script>' },
      priority: 'high',
    });
    expect(res.status).toBe(202);
    expect(res.body.id).toMatch(/^ntf_/);
    expect(['scheduled', 'sending', 'completed']).toContain(res.body.status);

    const [mail] = await stack.smtp.waitForCount(1);
    expect(mail?.envelopeTo).toEqual(['ada@example.com']);
    expect(mail?.subject).toBe('Welcome, Ada <script>alert(1)</script>!');
    expect(mail?.html).toContain('<b>Ada &lt;script&gt;alert(1)&lt;/script&gt;</b>');
    expect(mail?.text.trim()).toBe('Hello Ada <script>alert(1)</script>');

    const done = await waitForFinal(stack, res.body.id);
    expect(done.status).toBe('completed');
    expect(done.counts).toEqual({ total: 1, pending: 0, sent: 1, delivered: 0, failed: 0, bounced: 0, suppressed: 0, expired: 0, recalled: 0 });
    expect(done.priority).toBe('high');

    const deliveries = await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items).toHaveLength(1);
    const [d] = deliveries.body.items;
    expect(d).toMatchObject({ userId: 'ada', channel: 'email', status: 'sent', attempts: 1, reason: null });
    // The Message-ID comes from the ledger row, so a re-send of the same row carries the same id.
    expect(mail?.messageId).toBe(d.messageId);
    expect(d.messageId).toContain(d.id);

    // The run is on the high-priority queue, its search attributes follow the status, and
    // the link opens that run in the Temporal Web UI.
    const handle = stack.client.workflow.getHandle(res.body.id);
    const desc = await handle.describe();
    expect(desc.taskQueue).toBe(`${stack.config.taskQueuePrefix}-high`);
    expect(desc.searchAttributes.HeraldStatus).toEqual(['completed']);
    expect(desc.searchAttributes.HeraldTenant).toEqual(['default']);
    expect(done.workflow.workflowId).toBe(res.body.id);
    expect(done.workflow.runId).toBe(desc.runId);
    expect(done.workflow.temporalUiUrl).toBe(`http://localhost:8233/namespaces/default/workflows/${res.body.id}/${desc.runId}/history`);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-email-sent-local-bookkeeping');
  });

  it('waits for sendAt on a durable timer', async () => {
    const before = stack.smtp.mails().length;
    const sendAt = new Date(Date.now() + 2500);
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Later' }, sendAt: sendAt.toISOString() });
    expect(res.status).toBe(202);
    expect(res.body.sendAt).toBe(sendAt.toISOString());
    const mails = await stack.smtp.waitForCount(before + 1, 20_000);
    const arrived = new Date(mails.at(-1)?.receivedAt ?? 0);
    expect(arrived.getTime()).toBeGreaterThanOrEqual(sendAt.getTime());
    expect((await waitForFinal(stack, res.body.id)).status).toBe('completed');
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-email-send-at');
  });

  it('suppresses a user without an email address, with the reason', async () => {
    await stack.request('PUT', '/v1/users/no-mail', { name: 'Nobody' });
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['no-mail'] }, data: { name: 'x' } });
    expect(res.status).toBe(202);
    const done = await waitForFinal(stack, res.body.id);
    expect(done.counts).toMatchObject({ total: 1, suppressed: 1, sent: 0 });
    const deliveries = await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`);
    expect(deliveries.body.items[0]).toMatchObject({ status: 'suppressed', reason: 'no_identity' });
  });
});
