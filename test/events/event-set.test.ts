// The whole webhook event set through a real stack and a receiver that verifies every request
// with `standardwebhooks`: a notification's own events (accepted, approval requested and
// decided — by a key, or by the timeout — and completed with its final status) beside its
// delivery events, and `delivery.read` when the inbox reads a message, each once by event id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../domain/events/webhooks.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../../testkit/webhook-receiver.js';

const FINAL = new Set(['completed', 'partially_failed', 'failed', 'rejected', 'cancelled', 'expired']);

describe('the webhook event set', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let approver = '';
  let endpointId = '';

  /** The events of one notification once `done` holds for them; every id exactly once. */
  async function eventsOf(notificationId: string, done: (types: string[]) => boolean): Promise<ReceivedWebhook[]> {
    const mine = await eventually(async () => {
      const got = receiver.accepted.filter((a) => a.data.notificationId === notificationId);
      return done(got.map((a) => a.type)) ? got : undefined;
    }, 30_000);
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would come late
    const all = receiver.accepted.filter((a) => a.data.notificationId === notificationId);
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
    expect(all.length).toBe(mine.length);
    return all;
  }
  const byType = (events: ReceivedWebhook[], type: string) => events.filter((e) => e.type === type);
  const final = async (id: string) =>
    eventually(async () => {
      const r = await stack.request('GET', `/v1/notifications/${id}`);
      return FINAL.has(r.body?.status) ? r.body : undefined;
    }, 30_000);

  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_WEBHOOK_RETRY_SCHEDULE: '0.2,0.4,0.8', HERALD_WEBHOOK_INTERVAL_MS: '100', HERALD_EVENT_RELAY_INTERVAL_MS: '100' } });
    receiver = await startWebhookReceiver();
    await seedEmail(stack, { userId: 'ada' });
    await stack.request('PUT', '/v1/users/bob', { name: 'Bob', email: 'bob@example.com' });
    expect((await stack.request('PUT', '/v1/users/ina', { name: 'Ina' })).status).toBe(201);
    expect((await stack.request('PUT', '/v1/templates/note', { inapp: { title: 'Note {{n}}', body: 'Read me' } })).status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/note/publish')).status).toBe(201);
    // Two users make a bulk send, which waits for an approver.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'], bulkThreshold: 1 })).status).toBe(200);
    approver = await createKeyForTest(stack.db, 'default', ['approve', 'read']);
    const created = await stack.request('POST', '/v1/webhooks', { url: receiver.url, eventTypes: [...WEBHOOK_EVENT_TYPES] });
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret as string);
    endpointId = created.body.id as string;
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('subscribes to every event type of the issue, and nothing outside it', () => {
    expect([...WEBHOOK_EVENT_TYPES].sort()).toEqual(
      [
        'notification.accepted',
        'approval.requested',
        'approval.decided',
        'notification.completed',
        ...['sent', 'delivered', 'opened', 'clicked', 'read', 'failed', 'bounced', 'complained', 'suppressed', 'expired', 'recalled'].map((t) => `delivery.${t}`),
      ].sort(),
    );
  });

  it('a single send: accepted, sent, completed with its status, once each', async () => {
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'x' } });
    expect(r.status).toBe(202);
    await waitForFinal(stack, r.body.id);
    const events = await eventsOf(r.body.id, (t) => t.includes('notification.completed') && t.includes('delivery.sent'));
    expect(events.map((e) => e.type).sort()).toEqual(['delivery.sent', 'notification.accepted', 'notification.completed']);
    expect(byType(events, 'notification.accepted')[0]).toMatchObject({ id: `${r.body.id}:notification.accepted`, data: { kind: 'single', templateKey: 'welcome', sendAt: null } });
    expect(byType(events, 'notification.completed')[0]?.data).toMatchObject({ status: 'completed', reason: null, counts: { total: 1, sent: 1 } });
    // The endpoint's delivery log gives each body parsed, as the WebhookEvent schema the SDK's types come from.
    const logged = (await stack.request('GET', `/v1/webhooks/${endpointId}/deliveries?limit=100`)).body.items.filter((d: { event: { data: { notificationId: string } } }) => d.event.data.notificationId === r.body.id);
    expect(logged.map((d: { event: { type: string } }) => d.event.type).sort()).toEqual(['delivery.sent', 'notification.accepted', 'notification.completed']);
    for (const d of logged) expect(JSON.parse(d.body)).toEqual(d.event);
  });

  it('an approved bulk send: accepted, approval requested and decided by the approver, its deliveries, completed', async () => {
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada', 'bob'] }, data: { name: 'y' } });
    expect(r.body.status).toBe('pending_approval');
    await eventsOf(r.body.id, (t) => t.includes('approval.requested'));
    expect((await stack.request('POST', `/v1/notifications/${r.body.id}/approve`, { comment: 'fine' }, { key: approver })).status).toBe(200);
    expect((await final(r.body.id)).status).toBe('completed');
    const events = await eventsOf(r.body.id, (t) => t.includes('notification.completed') && t.filter((x) => x === 'delivery.sent').length === 2);
    expect(events.map((e) => e.type).sort()).toEqual(['approval.decided', 'approval.requested', 'delivery.sent', 'delivery.sent', 'notification.accepted', 'notification.completed']);
    expect(byType(events, 'approval.requested')[0]?.data).toMatchObject({ audienceSize: 2 });
    expect(Date.parse(String(byType(events, 'approval.requested')[0]?.data.decideBy))).toBeGreaterThan(Date.now());
    expect(byType(events, 'approval.decided')[0]?.data).toMatchObject({ approved: true, comment: 'fine', reason: null });
    expect(byType(events, 'approval.decided')[0]?.data.decidedBy).toMatch(/^key_/);
    expect(byType(events, 'notification.accepted')[0]?.data).toMatchObject({ kind: 'bulk' });
  });

  it('a rejected bulk send: approval decided (rejected), completed with status rejected, no deliveries', async () => {
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada', 'bob'] }, data: { name: 'z' } });
    await eventsOf(r.body.id, (t) => t.includes('approval.requested'));
    expect((await stack.request('POST', `/v1/notifications/${r.body.id}/reject`, { comment: 'not now' }, { key: approver })).status).toBe(200);
    const events = await eventsOf(r.body.id, (t) => t.includes('notification.completed'));
    expect(events.map((e) => e.type).sort()).toEqual(['approval.decided', 'approval.requested', 'notification.accepted', 'notification.completed']);
    expect(byType(events, 'approval.decided')[0]?.data).toMatchObject({ approved: false, comment: 'not now' });
    expect(byType(events, 'notification.completed')[0]?.data).toMatchObject({ status: 'rejected', reason: expect.stringContaining('not now') });
  });

  it('nobody decides in time: the timeout is the decision (decidedBy null), then completed as rejected', async () => {
    expect((await stack.request('PATCH', '/v1/tenant', { approvalTimeoutSeconds: 1 })).status).toBe(200);
    try {
      const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada', 'bob'] }, data: { name: 't' } });
      const events = await eventsOf(r.body.id, (t) => t.includes('notification.completed'));
      expect(events.map((e) => e.type).sort()).toEqual(['approval.decided', 'approval.requested', 'notification.accepted', 'notification.completed']);
      expect(byType(events, 'approval.decided')[0]?.data).toMatchObject({ approved: false, decidedBy: null, reason: 'not approved within 1 s' });
      expect(byType(events, 'notification.completed')[0]?.data).toMatchObject({ status: 'rejected' });
    } finally {
      await stack.request('PATCH', '/v1/tenant', { approvalTimeoutSeconds: 72 * 3600 });
    }
  });

  it('delivery.read when the inbox reads a message: once, however often it is read again', async () => {
    const r = await stack.request('POST', '/v1/notifications', { template: 'note', to: { userIds: ['ina'] }, channels: ['inapp'], data: { n: 1 } });
    await waitForFinal(stack, r.body.id);
    await eventsOf(r.body.id, (t) => t.includes('notification.completed'));
    const inbox = await stack.request('GET', '/v1/inbox/ina');
    const message = inbox.body.items.find((m: { notificationId: string }) => m.notificationId === r.body.id);
    expect(message).toBeDefined();
    expect((await stack.request('POST', `/v1/inbox/ina/${message.id}/read`)).status).toBe(204);
    expect((await stack.request('POST', `/v1/inbox/ina/${message.id}/unread`)).status).toBe(204);
    expect((await stack.request('POST', '/v1/inbox/ina/read-all', {})).status).toBe(200);
    const events = await eventsOf(r.body.id, (t) => t.includes('delivery.read'));
    const read = byType(events, 'delivery.read');
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({ id: `${message.id}:read`, data: { deliveryId: message.id, userId: 'ina', channel: 'inapp' } });
    // On the message's timeline too.
    const timeline = (await stack.request('GET', `/v1/notifications/${r.body.id}/events`)).body.items.map((e: { event: string }) => e.event);
    expect(timeline.filter((e: string) => e === 'read')).toHaveLength(1);
    expect(receiver.unverified()).toBe(0);
  });
});
