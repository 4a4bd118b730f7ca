import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDingtalkWorkNoticeAdapter, type DingtalkWorkNoticeConfig } from '../../channels/dingtalk-work-notice.js';
import type { ChatMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { dingtalkWorkApi } from '../providers/dingtalk-work.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';

const dingtalk = dingtalkWorkApi({ appKey: 'dingappkey123', appSecret: 'app-secret-xyz', agentId: 2_840_123_456 });
let api: Receiver;
let cfg: DingtalkWorkNoticeConfig;
const chat = (to = 'manager4220', markdown = 'Your **leave** request was approved.\n\n- from Monday\n- 3 days'): ChatMessage => ({
  channel: 'chat',
  messageId: 'm1',
  to,
  content: { title: 'Leave approved', markdown },
});

beforeAll(async () => {
  api = await startReceiver(dingtalk);
  cfg = { ...LOOPBACK, appKey: 'dingappkey123', appSecret: 'app-secret-xyz', agentId: 2_840_123_456, baseUrl: api.baseUrl };
});
afterAll(() => api.close());

describe('dingtalk-work-notice adapter', () => {
  it('fetches the app token once, sends a markdown work notice to the user and recalls it by task id', async () => {
    const adapter = createDingtalkWorkNoticeAdapter();
    const first = await adapter.send(chat(), cfg);
    const second = await adapter.send(chat('dev001'), { ...cfg, agentId: '2840123456' });
    expect(dingtalk.tokensIssued).toBe(1);
    const [gettoken, send] = api.requests;
    expect(gettoken!.method).toBe('GET');
    expect(new URL(gettoken!.url, 'http://x').pathname).toBe('/gettoken');
    expect(Object.fromEntries(new URL(gettoken!.url, 'http://x').searchParams)).toEqual({ appkey: 'dingappkey123', appsecret: 'app-secret-xyz' });
    expect(new URL(send!.url, 'http://x').pathname).toBe('/topapi/message/corpconversation/asyncsend_v2');
    expect(JSON.parse(send!.body)).toEqual({
      agent_id: 2_840_123_456,
      userid_list: 'manager4220',
      msg: { msgtype: 'markdown', markdown: { title: 'Leave approved', text: expect.stringMatching(/^### Leave approved\n\nYour \*\*leave\*\* request was approved\./) } },
    });
    expect(first.providerMessageId).toBe(String(dingtalk.notices[0]!.taskId));
    expect(second.providerMessageId).toBe(String(dingtalk.notices[1]!.taskId));
    expect(dingtalk.notices[1]!.userids).toEqual(['dev001']);

    await adapter.recall!(first.providerMessageId!, cfg);
    expect(dingtalk.recalls.at(-1)).toEqual({ agentId: 2_840_123_456, taskId: dingtalk.notices[0]!.taskId });
    expect(dingtalk.notices[0]!.recalled).toBe(true);
    expect(JSON.parse(api.requests.at(-1)!.body)).toEqual({ agent_id: 2_840_123_456, msg_task_id: dingtalk.notices[0]!.taskId });
    await adapter.close();
  });

  it('refreshes an expired token once and carries on', async () => {
    const adapter = createDingtalkWorkNoticeAdapter();
    await adapter.send(chat(), cfg);
    const issued = dingtalk.tokensIssued;
    dingtalk.expireTokens();
    const before = api.requests.length;
    const res = await adapter.send(chat(), cfg);
    expect(res.providerMessageId).toBe(String(dingtalk.notices.at(-1)!.taskId));
    expect(dingtalk.tokensIssued).toBe(issued + 1);
    // the refused send, the new token, the send again
    expect(api.requests.slice(before).map((r) => new URL(r.url, 'http://x').pathname)).toEqual([
      '/topapi/message/corpconversation/asyncsend_v2',
      '/gettoken',
      '/topapi/message/corpconversation/asyncsend_v2',
    ]);
    await adapter.close();
  });

  it('maps DingTalk errors', async () => {
    const adapter = createDingtalkWorkNoticeAdapter();
    await expectDeliveryError(adapter.send(chat(), { ...cfg, appSecret: 'wrong' }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(chat(), { ...cfg, agentId: 1 }), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 200, body: { errcode: 90018, errmsg: '当前接口调用被禁止' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.RateLimited, false);
    api.replyOnce({ status: 200, body: { errcode: -1, errmsg: '系统繁忙' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 200, body: { errcode: 88, sub_code: '60011', sub_msg: '没有调用该接口的权限', errmsg: 'ding talk error' } });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 502, body: 'Bad Gateway' });
    await expectDeliveryError(adapter.send(chat(), cfg), DeliveryErrorType.Unavailable, false);
    // A task id DingTalk does not know is not recallable, ever.
    await expectDeliveryError(adapter.recall!('123456789012', cfg), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(chat(), { ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);
    const before = api.requests.length;
    await expectDeliveryError(adapter.send(chat('a,b'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(chat(undefined, '长'.repeat(800)), cfg), DeliveryErrorType.Content, true);
    await expectDeliveryError(adapter.recall!('not-a-task', cfg), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(chat(), { ...cfg, agentId: 'abc' }), DeliveryErrorType.ProviderConfig, true);
    expect(api.requests.length).toBe(before);
    expect(configProblemLines(adapter, cfg)).toEqual([]);
    expect(configProblemLines(adapter, { appKey: 'k' })).toEqual([expect.stringMatching(/^appSecret: /), expect.stringMatching(/^agentId: /)]);
    await adapter.close();
  });
});
