// Recall through real providers: chat notices go out through DingTalk work notices and WeCom
// app messages (local servers checking each platform's documented API), then
// POST /v1/notifications/{id}/recall takes them back through the recall workflow — the
// servers see the recall calls with the right task id / msgid, the deliveries become
// `recalled`, the timeline shows it, and what could not be recalled is answered with why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { dingtalkWorkApi } from '../providers/dingtalk-work.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { wecomAppApi } from '../providers/wecom-app.js';

const DT = { appKey: 'dingrecallappkey', appSecret: 'dt-app-secret-1', agentId: 2_900_000_001 };
/** Long enough for a recall the providers answer at once, short enough to wait out in a test. */
const RECALL_WAIT_MS = 5000;
const WC = { corpId: 'wwrecall0001', corpSecret: 'wc-corp-secret-1', agentId: 1_000_005 };

describe('recall through DingTalk work notices and WeCom app messages', () => {
  let stack: TestStack;
  const dingtalk = dingtalkWorkApi(DT);
  const wecom = wecomAppApi({ ...WC, members: ['bob.wc', 'cy.wc'] });
  let dt: Receiver;
  let wc: Receiver;

  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_RECALL_WAIT_MS: String(RECALL_WAIT_MS) } });
    // The provider's local receivers are on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    dt = await startReceiver(dingtalk);
    wc = await startReceiver(wecom);
    const put = (id: string, body: unknown) => stack.request('PUT', `/v1/providers/${id}`, body);
    expect((await put('dt-notice', { channel: 'chat', kind: 'dingtalk-work-notice', order: 0, config: { ...DT, baseUrl: dt.baseUrl } })).status).toBe(201);
    expect((await put('wc-app', { channel: 'chat', kind: 'wecom-app', order: 1, config: { ...WC, agentId: String(WC.agentId), baseUrl: wc.baseUrl } })).status).toBe(201);
    // A user's DingTalk / WeCom user id is their `dingtalk` / `wecom` identity.
    for (const [id, identities] of [
      ['ada', { dingtalk: 'ada.dt' }],
      ['bob', { wecom: 'bob.wc' }],
    ] as const) {
      expect((await stack.request('PUT', `/v1/users/${id}`, { name: id, email: `${id}@example.com`, identities })).status).toBeLessThan(300);
    }
    const tpl = await stack.request('PUT', '/v1/templates/leave', {
      email: { subject: 'Leave {{status}}', text: 'Your leave was {{status}}.' },
      chat: { title: 'Leave {{status}}', markdown: 'Your leave request was **{{status}}**.' },
      inapp: { title: 'Leave {{status}}', body: 'Your leave was {{status}}.' },
    });
    expect(tpl.status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/leave/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    await dt?.close();
    await wc?.close();
  });

  it('accepts the four new provider kinds with their secrets sealed, and refuses an incomplete config', async () => {
    const ses = await stack.request('PUT', '/v1/providers/ses-eu', {
      channel: 'email',
      kind: 'ses',
      order: 5,
      enabled: false,
      config: { region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'ses-secret-value', from: 'noreply@example.com', configurationSetName: 'tx' },
    });
    expect(ses.status).toBe(201);
    expect(ses.body.config).toMatchObject({ region: 'eu-west-1', from: 'noreply@example.com', secretAccessKey: '[redacted]', configurationSetName: 'tx' });
    const sns = await stack.request('PUT', '/v1/providers/sns-us', {
      channel: 'sms',
      kind: 'sns',
      enabled: false,
      config: { region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sns-secret-value', senderId: 'Herald' },
    });
    expect(sns.status).toBe(201);
    const list = await stack.request('GET', '/v1/providers');
    const text = JSON.stringify(list.body);
    for (const secret of ['ses-secret-value', 'sns-secret-value', DT.appSecret, WC.corpSecret]) expect(text).not.toContain(secret);
    expect(list.body.items.find((p: any) => p.id === 'dt-notice').config).toMatchObject({ appSecret: '[redacted]', agentId: DT.agentId });
    expect(list.body.items.find((p: any) => p.id === 'wc-app').config).toMatchObject({ corpSecret: '[redacted]', corpId: WC.corpId });

    const bad = await stack.request('PUT', '/v1/providers/wc-bad', { channel: 'chat', kind: 'wecom-app', config: { corpId: WC.corpId, corpSecret: 'not-shown-anywhere', agentId: 'abc' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_provider_config');
    expect(bad.body.error.message).toMatch(/agentId/);
    expect(JSON.stringify(bad.body)).not.toContain('not-shown-anywhere');
    expect((await stack.request('PUT', '/v1/providers/ses-bad', { channel: 'email', kind: 'ses', config: { region: 'eu-west-1', from: 'a@b.c' } })).status).toBe(422);
    expect((await stack.request('GET', '/v1/providers/wc-bad')).status).toBe(404);
    // A partial update is checked as the whole config it leaves behind.
    const patched = await stack.request('PATCH', '/v1/providers/wc-app', { config: { corpSecret: null } });
    expect(patched.status).toBe(422);
    expect(patched.body.error.code).toBe('invalid_provider_config');
  });

  it('sends to each user’s DingTalk / WeCom id, then recalls them: provider calls, ledger, timeline', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'leave', to: { userIds: ['ada', 'bob'] }, channels: ['chat', 'email', 'inapp'], data: { status: 'approved' }, priority: 'high' });
    expect(sent.status).toBe(202);
    const id = sent.body.id as string;
    expect((await waitForFinal(stack, id)).status).toBe('completed');

    const notice = dingtalk.notices.at(-1)!;
    expect(notice.userids).toEqual(['ada.dt']);
    expect(notice.msg.markdown).toMatchObject({ title: 'Leave approved', text: expect.stringContaining('**approved**') });
    const wecomMsg = wecom.messages.at(-1)!;
    expect(wecomMsg).toMatchObject({ touser: 'bob.wc', msgtype: 'markdown' });
    const deliveries = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as any[];
    const chatOf = (user: string) => deliveries.find((d) => d.userId === user && d.channel === 'chat');
    expect(chatOf('ada')).toMatchObject({ status: 'sent', provider: 'dt-notice', address: 'ada.dt', providerMessageId: String(notice.taskId) });
    expect(chatOf('bob')).toMatchObject({ status: 'sent', provider: 'wc-app', address: 'bob.wc', providerMessageId: wecomMsg.msgid });

    const recall = await stack.request('POST', `/v1/notifications/${id}/recall`);
    expect(recall.status).toBe(200);
    expect(recall.body).toMatchObject({ recalled: 4, recalling: 0, failures: [], notRecallable: [{ channel: 'email', count: 2 }] });
    expect(recall.body.workflow.workflowId).toBe(`${id}:recall`);
    expect(recall.body.workflow.temporalUiUrl).toContain(encodeURIComponent(`${id}:recall`));

    expect(dingtalk.recalls).toEqual([{ agentId: DT.agentId, taskId: notice.taskId }]);
    expect(wecom.recalls).toEqual([wecomMsg.msgid]);
    expect(notice.recalled && wecomMsg.recalled).toBe(true);

    const after = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as any[];
    expect(after.filter((d) => d.channel === 'chat').map((d) => d.status)).toEqual(['recalled', 'recalled']);
    expect(after.filter((d) => d.channel === 'email').map((d) => d.status)).toEqual(['sent', 'sent']);
    expect((await stack.request('GET', `/v1/notifications/${id}`)).body.counts).toMatchObject({ recalled: 4, sent: 2 });

    const timeline = (await stack.request('GET', `/v1/notifications/${id}/events?limit=200`)).body.items as any[];
    const recalledChat = timeline.filter((e) => e.event === 'recalled' && e.channel === 'chat');
    expect(recalledChat.map((e) => e.provider).sort()).toEqual(['dt-notice', 'wc-app']);
    expect(recalledChat.every((e) => e.reason === 'recalled by the sender')).toBe(true);

    // A second recall finds nothing left to take back and calls no provider.
    const again = await stack.request('POST', `/v1/notifications/${id}/recall`);
    expect(again.body).toMatchObject({ recalled: 0, recalling: 0, failures: [], workflow: null });
    expect(dingtalk.recalls.length + wecom.recalls.length).toBe(2);
    await recordHistoryIfAsked(stack.client, `${id}:recall`, 'recall-providers');
  });

  it('retries a recall the provider cannot do right now, and reports one it refuses', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'leave', to: { userIds: ['ada', 'bob'] }, channels: ['chat'], data: { status: 'rejected' }, priority: 'high' });
    const id = sent.body.id as string;
    expect((await waitForFinal(stack, id)).status).toBe('completed');
    const notice = dingtalk.notices.at(-1)!;
    const wecomMsg = wecom.messages.at(-1)!;
    // DingTalk is busy for the first two recall calls (errcode -1: retried with backoff); WeCom refuses for good.
    dt.replyOnce({ status: 200, body: { errcode: -1, errmsg: '系统繁忙' } });
    dt.replyOnce({ status: 200, body: { errcode: -1, errmsg: '系统繁忙' } });
    wc.replyOnce({ status: 200, body: { errcode: 40003, errmsg: 'invalid msgid' } });
    const dtBefore = dingtalk.recalls.length;
    const recallCalls = () => dt.requests.filter((r) => r.url.startsWith('/topapi/message/corpconversation/recall')).length;
    const callsBefore = recallCalls();

    const recall = await stack.request('POST', `/v1/notifications/${id}/recall`);
    expect(recall.status).toBe(200);
    expect(recall.body).toMatchObject({ recalled: 1, recalling: 0, notRecallable: [{ channel: 'chat', count: 1 }] });
    expect(recall.body.failures).toEqual([{ deliveryId: expect.any(String), channel: 'chat', provider: 'wc-app', reason: expect.stringContaining('errcode 40003') }]);
    // The busy answers came before the stand-in recorded anything: one recorded call, the retry that worked, of three.
    expect(dingtalk.recalls.slice(dtBefore)).toEqual([{ agentId: DT.agentId, taskId: notice.taskId }]);
    expect(recallCalls() - callsBefore).toBe(3);
    expect(notice.recalled).toBe(true);
    expect(wecomMsg.recalled).toBe(false);
    const rows = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as any[];
    expect(Object.fromEntries(rows.map((d) => [d.userId, d.status]))).toEqual({ ada: 'recalled', bob: 'sent' });
    await recordHistoryIfAsked(stack.client, `${id}:recall`, 'recall-providers-retry');
  });

  it('answers after HERALD_RECALL_WAIT_MS with what is still being recalled, and the recall run finishes on its own', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'leave', to: { userIds: ['bob'] }, channels: ['chat'], data: { status: 'noted' }, priority: 'high' });
    const id = sent.body.id as string;
    expect((await waitForFinal(stack, id)).status).toBe('completed');
    const wecomMsg = wecom.messages.at(-1)!;
    let release!: () => void;
    wecom.recallGate = new Promise<void>((resolve) => (release = resolve));
    const recallCalls = () => wc.requests.filter((r) => r.url.startsWith('/cgi-bin/message/recall')).length;
    const callsBefore = recallCalls();
    try {
      const started = Date.now();
      const recall = await stack.request('POST', `/v1/notifications/${id}/recall`);
      const waited = Date.now() - started;
      expect(recall.status, JSON.stringify(recall.body)).toBe(200);
      expect(recall.body).toMatchObject({ recalled: 0, recalling: 1, failures: [], notRecallable: [] });
      expect(waited).toBeGreaterThanOrEqual(RECALL_WAIT_MS - 100);
      expect(waited).toBeLessThan(RECALL_WAIT_MS + 4000);
      // The provider had the call and was still holding it when the API answered.
      expect(recallCalls() - callsBefore).toBe(1);
      expect(wecomMsg.recalled).toBe(false);
    } finally {
      release();
      wecom.recallGate = undefined;
    }
    await expect
      .poll(async () => ((await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as any[]).map((d) => d.status), { timeout: 20_000 })
      .toEqual(['recalled']);
    expect(wecomMsg.recalled).toBe(true);
  });

  it('answers 404 for an unknown notification', async () => {
    expect((await stack.request('POST', '/v1/notifications/ntf_01HZZZZZZZZZZZZZZZZZZZZZZZ/recall')).status).toBe(404);
  });
});
