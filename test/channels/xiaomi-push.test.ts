import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryErrorType } from '../../channels/errors.js';
import type { PushMessage } from '../../channels/types.js';
import { createXiaomiPushAdapter, type XiaomiPushConfig } from '../../channels/xiaomi-push.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { xiaomiPushApi } from '../providers/xiaomi-push.js';

const SECRET = 'mi-app-secret-0123456789ABCDEF==';
const PKG = 'cn.example.shop';
const PHONE = 'hA0xWx7Gb0o8l0G2jO+tdJ1qVx2T1XZkP3mQ9rS5uV7wYz=';
const OTHER = 'Zk9pQ2xZd0F3Q3Nra0RFRkdISUpLTE1OT1BRUlNUVQ==';
const mi = xiaomiPushApi({ appSecret: SECRET, packageName: PKG, devices: [PHONE, OTHER] });
let api: Receiver;
let cfg: XiaomiPushConfig;
const push = (to = PHONE, over: Partial<PushMessage['content']> = {}, options: PushMessage['options'] = { ttlSeconds: 3600, collapseKey: 'order-42' }): PushMessage => ({
  channel: 'push',
  messageId: 'dlv_1',
  to,
  content: { title: '订单更新', body: '您的订单已发货', url: 'https://shop.example.cn/o/42', data: { orderId: '42' }, ...over },
  options,
});

beforeAll(async () => {
  api = await startReceiver(mi);
  cfg = { ...LOOPBACK, appSecret: SECRET, packageName: PKG, channelId: 'orders', baseUrl: api.baseUrl };
});
afterAll(() => api.close());

describe('xiaomi-push adapter', () => {
  it('posts the form with the AppSecret key to the registration id and returns the message id', async () => {
    const adapter = createXiaomiPushAdapter();
    const res = await adapter.send(push(), cfg);
    const req = api.requests.at(-1)!;
    expect(req.url).toBe('/v3/message/regid');
    expect(req.headers.authorization).toBe(`key=${SECRET}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    const form = Object.fromEntries(new URLSearchParams(req.body));
    expect(form).toEqual({
      title: '订单更新',
      description: '您的订单已发货',
      pass_through: '0',
      notify_type: '-1',
      notify_id: expect.stringMatching(/^\d+$/),
      restricted_package_name: PKG,
      payload: '{"orderId":"42"}',
      time_to_live: '3600000',
      'extra.notify_effect': '3',
      'extra.web_uri': 'https://shop.example.cn/o/42',
      'extra.channel_id': 'orders',
      registration_id: PHONE,
    });
    expect(res.providerMessageId).toBe(mi.sent.at(-1)!.id);
    // The same collapse key keeps the notify_id (one notification replaced); without one, each message has its own.
    await adapter.send(push(OTHER, { url: undefined }), cfg);
    const second = Object.fromEntries(new URLSearchParams(api.requests.at(-1)!.body));
    expect(second.notify_id).toBe(form.notify_id);
    expect(second['extra.notify_effect']).toBe('1');
    await adapter.send(push(OTHER, {}, {}), cfg);
    expect(Object.fromEntries(new URLSearchParams(api.requests.at(-1)!.body)).notify_id).not.toBe(form.notify_id);
  });

  it('maps MiPush errors: an unknown registration id is an invalid recipient (pruned), a wrong secret the config', async () => {
    const adapter = createXiaomiPushAdapter();
    expect((await expectDeliveryError(adapter.send(push('dW5rbm93bkRldmljZVJlZ0lkMDAwMDA='), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('20301');
    api.replyOnce({ status: 200, body: { result: 'ok', code: 0, data: { id: 'scm1', bad_regids: PHONE }, description: '成功' } });
    expect((await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('bad_regids');
    expect((await expectDeliveryError(adapter.send(push(), { ...cfg, appSecret: 'wrong-secret-00000000' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('21301');
    expect((await expectDeliveryError(adapter.send(push(), { ...cfg, packageName: 'cn.example.other' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('22022');
    api.replyOnce({ status: 200, body: { result: 'error', code: 10027, reason: 'Too many requests', description: '应用的API调用太频繁' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.RateLimited, false);
    api.replyOnce({ status: 200, body: { result: 'error', code: 10002, reason: 'System busy', description: '系统繁忙' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 502, body: 'Bad Gateway' });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 200, body: { result: 'error', code: 10017, reason: 'Invalid parameter', description: '参数值非法' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(push(), { ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);

    const before = api.requests.length;
    const long = await expectDeliveryError(adapter.send(push(undefined, { title: '长'.repeat(50) }), cfg), DeliveryErrorType.Content, true);
    expect(long.message).toMatch(/title is 50 characters; at most 49/);
    await expectDeliveryError(adapter.send(push(undefined, { body: 'x'.repeat(128) }), cfg), DeliveryErrorType.Content, true);
    await expectDeliveryError(adapter.send(push('bad id'), cfg), DeliveryErrorType.InvalidRecipient, true);
    expect(api.requests.length).toBe(before);
  });

  it('validates its config, naming missing and unknown fields', () => {
    const adapter = createXiaomiPushAdapter();
    expect(configProblemLines(adapter, cfg)).toEqual([]);
    expect(configProblemLines(adapter, { appSecret: SECRET })).toEqual([expect.stringMatching(/^packageName: /)]);
    expect(configProblemLines(adapter, { ...cfg, appKey: 'x' })).toEqual([expect.stringMatching(/appKey/)]);
  });
});
