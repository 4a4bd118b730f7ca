import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryErrorType } from '../../channels/errors.js';
import type { PushMessage } from '../../channels/types.js';
import { createWechatTemplateAdapter, type WechatTemplateConfig } from '../../channels/wechat-template.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { wechatMpApi } from '../providers/wechat-mp.js';

const APP = { appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef' };
const TEMPLATE = 'ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY';
const FOLLOWER = 'oLVPpjqs9BhvzwPj5A-vTYAX3GLc';
const mp = wechatMpApi({ ...APP, templateId: TEMPLATE, followers: [FOLLOWER, 'oLVPpjkttuZBUQMSBbdEWWj4ALTw'], unfollowed: ['oLVPpjgone00000000000000000'] });
let api: Receiver;
let cfg: WechatTemplateConfig;
const push = (to = FOLLOWER, over: Partial<PushMessage['content']> = {}, messageId = `dlv_${Math.random().toString(36).slice(2)}`): PushMessage => ({
  channel: 'push',
  messageId,
  to,
  content: { title: '订单已发货', body: '顺丰 SF1234567', url: 'https://shop.example.cn/o/42', data: { character_string3: 'A-42' }, ...over },
});
const path = (i: number) => new URL(api.requests.at(i)!.url, 'http://x').pathname;

beforeAll(async () => {
  api = await startReceiver(mp);
  cfg = { ...LOOPBACK, ...APP, templateId: TEMPLATE, titleKey: 'thing1', bodyKey: 'thing2', baseUrl: api.baseUrl };
});
afterAll(() => api.close());

describe('wechat-template adapter', () => {
  it('takes the stable token once, fills the template from title, body and data, and returns the msgid', async () => {
    const adapter = createWechatTemplateAdapter();
    const [res] = await Promise.all([adapter.send(push(undefined, {}, 'dlv_first'), cfg), adapter.send(push('oLVPpjkttuZBUQMSBbdEWWj4ALTw'), cfg)]);
    expect(mp.tokensIssued).toBe(1);
    const token = api.requests[0]!;
    expect(path(0)).toBe('/cgi-bin/stable_token');
    expect(JSON.parse(token.body)).toEqual({ grant_type: 'client_credential', appid: APP.appId, secret: APP.appSecret, force_refresh: false });
    expect(api.requests.filter((r) => r.url.startsWith('/cgi-bin/stable_token'))).toHaveLength(1);
    const send = api.requests.find((r) => r.url.startsWith('/cgi-bin/message/template/send') && JSON.parse(r.body).touser === FOLLOWER)!;
    expect(new URL(send.url, 'http://x').searchParams.get('access_token')).toMatch(/^\d+_/);
    expect(JSON.parse(send.body)).toEqual({
      touser: FOLLOWER,
      template_id: TEMPLATE,
      url: 'https://shop.example.cn/o/42',
      client_msg_id: 'dlv_first',
      data: { thing1: { value: '订单已发货' }, thing2: { value: '顺丰 SF1234567' }, character_string3: { value: 'A-42' } },
    });
    expect(res!.providerMessageId).toBe(String(mp.sent.find((s) => s.touser === FOLLOWER)!.msgid));
    // Without titleKey/bodyKey only data fills the template.
    await adapter.send(push(), { ...cfg, titleKey: undefined, bodyKey: undefined });
    expect(JSON.parse(api.requests.at(-1)!.body).data).toEqual({ character_string3: { value: 'A-42' } });
    await adapter.close();
  });

  it('fetches again once when WeChat refuses the token; refused again right after is transient', async () => {
    const adapter = createWechatTemplateAdapter();
    await adapter.send(push(), cfg);
    const issued = mp.tokensIssued;
    mp.expireTokens();
    const before = api.requests.length;
    await adapter.send(push(), cfg);
    expect(mp.tokensIssued).toBe(issued + 1);
    expect(api.requests.slice(before).map((r) => new URL(r.url, 'http://x').pathname)).toEqual(['/cgi-bin/message/template/send', '/cgi-bin/stable_token', '/cgi-bin/message/template/send']);
    api.replyOnce({ status: 200, body: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' } });
    api.replyOnce({ status: 200, body: { access_token: 'still-refused', expires_in: 7200 } });
    api.replyOnce({ status: 200, body: { errcode: 40001, errmsg: 'invalid credential' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Unavailable, false);
    await adapter.close();
  });

  it('maps WeChat errors and enforces the value limits of category templates', async () => {
    const adapter = createWechatTemplateAdapter();
    expect((await expectDeliveryError(adapter.send(push(), { ...cfg, appSecret: 'ffffffffffffffffffffffffffffffff' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('40125');
    expect((await expectDeliveryError(adapter.send(push(), { ...cfg, templateId: 'unknownTemplateId000000000' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('40037');
    expect((await expectDeliveryError(adapter.send(push('oLVPpjgone00000000000000000'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('43004');
    expect((await expectDeliveryError(adapter.send(push('oLVPpjnotafollower00000000'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('40003');
    api.replyOnce({ status: 200, body: { errcode: 45009, errmsg: 'reach max api daily quota limit' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.RateLimited, false);
    api.replyOnce({ status: 200, body: { errcode: -1, errmsg: 'system error' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 502, body: 'Bad Gateway' });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Unavailable, false);
    // A value WeChat judges invalid for its key beyond the declared lengths (e.g. Chinese in a character_string).
    expect((await expectDeliveryError(adapter.send(push(undefined, { data: { character_string3: '' } }), cfg), DeliveryErrorType.Content, true)).code).toBe('47003');
    await expectDeliveryError(adapter.send(push(), { ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);

    const before = api.requests.length;
    const long = await expectDeliveryError(adapter.send(push(undefined, { body: '您的订单已由顺丰速运揽收，预计明天下午送达，请保持电话畅通' }), cfg), DeliveryErrorType.Content, true);
    expect(long.message).toMatch(/thing is \d+ characters; at most 20/);
    await expectDeliveryError(adapter.send(push(undefined, { data: {} }), { ...cfg, titleKey: undefined, bodyKey: undefined }), DeliveryErrorType.Content, true);
    await expectDeliveryError(adapter.send(push('bad openid'), cfg), DeliveryErrorType.InvalidRecipient, true);
    expect(api.requests.length).toBe(before);
    expect(adapter.measure(push(undefined, { data: { thing5: 'x'.repeat(25), phrase6: '已完成' } }))).toEqual({ thing: 'x'.repeat(25), phrase: '已完成' });
    await adapter.close();
  });

  it('validates its config, naming missing and unknown fields', () => {
    const adapter = createWechatTemplateAdapter();
    expect(configProblemLines(adapter, { ...cfg, baseUrl: 'https://api.weixin.qq.com' })).toEqual([]);
    expect(configProblemLines(adapter, { appId: APP.appId, appSecret: APP.appSecret })).toEqual([expect.stringMatching(/^templateId: /)]);
    expect(configProblemLines(adapter, { ...cfg, titleKey: 'Thing 1', token: 'x' })).toEqual(expect.arrayContaining([expect.stringMatching(/^titleKey: /), expect.stringMatching(/token/)]));
  });
});
