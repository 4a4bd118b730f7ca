// DingTalk work notice read receipts through the whole stack: POST /v1/notifications → the
// workflow on Temporal → the work notice to a local DingTalk server (token, asyncsend_v2) →
// the worker's read receipt poller asking getsendresult with the task id the send answered →
// the delivery `delivered` while the member has not read it, then a `read` event once they
// have (in the activity log and the event outbox that feeds analytics and webhooks), and the
// asking stops; a userid DingTalk lists as invalid ends `failed` with DingTalk's list as the reason;
// a notice never read is asked about a bounded number of times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { dingtalkWorkApi } from '../providers/dingtalk-work.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';

const APP = { appKey: 'dingreadreceipts0001', appSecret: 'ding-read-receipts-secret-0123456789', agentId: 2_814_700_001 };

describe('DingTalk work notice read receipts', () => {
  let stack: TestStack;
  const ding = dingtalkWorkApi({ ...APP, invalidUsers: ['left-the-company'] });
  let rx: Receiver;

  const deliveryOf = async (id: string) => (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items[0];
  const eventsOf = async (id: string) => (await stack.request('GET', `/v1/notifications/${id}/events`)).body.items as { event: string; provider: string | null; reason: string | null }[];
  const outboxTopics = async (deliveryId: string) => (await stack.db.selectFrom('event_outbox').select('topic').where('event_id', 'like', `${deliveryId}:%`).execute()).map((r) => r.topic);

  async function send(userId: string): Promise<{ id: string; taskId: number; deliveryId: string }> {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'leave', to: { userIds: [userId] }, channels: ['chat'], data: { days: '3' }, priority: 'high' });
    expect(sent.status).toBe(202);
    await waitForFinal(stack, sent.body.id);
    const d = await deliveryOf(sent.body.id);
    const taskId = ding.notices.at(-1)!.taskId;
    expect(d).toMatchObject({ provider: 'ding-work', providerMessageId: String(taskId) });
    return { id: sent.body.id, taskId, deliveryId: d.id };
  }

  beforeAll(async () => {
    stack = await startStack({
      env: { HERALD_READ_RECEIPT_POLL_INTERVAL_MS: '100', HERALD_READ_RECEIPT_FIRST_DELAY_MS: '50', HERALD_READ_RECEIPT_MAX_DELAY_MS: '800', HERALD_READ_RECEIPT_MAX_POLLS: '8' },
    });
    // The provider's local receiver is on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    rx = await startReceiver(ding);
    expect((await stack.request('PUT', '/v1/providers/ding-work', { channel: 'chat', kind: 'dingtalk-work-notice', config: { ...APP, baseUrl: rx.baseUrl } })).status).toBe(201);
    expect((await stack.request('PUT', '/v1/users/wang', { name: 'Wang', identities: { dingtalk: 'manager4220' } })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/users/gone', { name: 'Gone', identities: { dingtalk: 'left-the-company' } })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/users/busy', { name: 'Busy', identities: { dingtalk: 'never-reads-0042' } })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/templates/leave', { chat: { title: '请假审批', markdown: '您有一条 **{{days}} 天** 的请假申请待审批' } })).status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/leave/publish')).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await rx?.close();
  });

  it('unread is delivered; once the member reads it, a read event in the log and the outbox, and the asking stops', async () => {
    const { id, taskId, deliveryId } = await send('wang');
    await eventually(async () => ((await deliveryOf(id)).status === 'delivered' ? true : undefined));
    const asked = rx.requests.find((r) => r.url.startsWith('/topapi/message/corpconversation/getsendresult?access_token='));
    expect(JSON.parse(asked!.body)).toEqual({ agent_id: APP.agentId, task_id: taskId });
    expect((await eventsOf(id)).some((e) => e.event === 'read')).toBe(false);

    ding.markRead(taskId, 'manager4220');
    await eventually(async () => ((await eventsOf(id)).some((e) => e.event === 'read') ? true : undefined));
    expect((await eventsOf(id)).filter((e) => e.event === 'delivered')).toHaveLength(1);
    expect(await outboxTopics(deliveryId)).toEqual(expect.arrayContaining(['delivery.delivered', 'delivery.read']));
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered' });

    // A read notice is final: no more asks about it.
    const asks = ding.resultQueries.filter((t) => t === taskId).length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(ding.resultQueries.filter((t) => t === taskId).length).toBe(asks);
  });

  it('a userid DingTalk lists as invalid fails the delivery with the reason', async () => {
    const { id, deliveryId } = await send('gone');
    const failed = await eventually(async () => {
      const d = await deliveryOf(id);
      return d.status === 'failed' ? d : undefined;
    });
    expect(failed.reason).toMatch(/not a valid userid/);
    expect((await eventsOf(id)).find((e) => e.event === 'failed')).toMatchObject({ provider: 'ding-work' });
    expect(await outboxTopics(deliveryId)).toContain('delivery.failed');
  });

  it('a notice never read is asked about HERALD_READ_RECEIPT_MAX_POLLS times, then no more, and stays delivered', async () => {
    const { id, taskId } = await send('busy');
    const asks = () => ding.resultQueries.filter((t) => t === taskId).length;
    await eventually(async () => (asks() >= 8 ? true : undefined));
    await new Promise((r) => setTimeout(r, 2000));
    expect(asks()).toBe(8);
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered' });
    expect((await eventsOf(id)).some((e) => e.event === 'read')).toBe(false);
  });
});
