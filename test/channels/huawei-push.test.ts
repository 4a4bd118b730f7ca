import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryErrorType } from '../../channels/errors.js';
import { createHuaweiPushAdapter, type HuaweiPushConfig } from '../../channels/huawei-push.js';
import type { PushMessage } from '../../channels/types.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { huaweiPushApi } from '../providers/huawei-push.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';

const APP = { appId: '104236987', appSecret: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6' };
const PHONE = 'IQAAAACy0kYmAADXqQnTmWpS0ZD7vH1fvPUf4Q3r5q6xjB1nWmHwUoUnNnU5ZE8r3Q1q';
const TABLET = 'IQAAAACy0kYmAAC7bKp3P0m3d0XcDbhJ2v8SlM8cGkcY4yQw0yJZtK1p2hE4xS3r9Q2w';
const hw = huaweiPushApi({ ...APP, devices: [PHONE, TABLET] });
let api: Receiver;
let cfg: HuaweiPushConfig;
const push = (to = PHONE, over: Partial<PushMessage['content']> = {}): PushMessage => ({
  channel: 'push',
  messageId: 'dlv_1',
  to,
  content: { title: '订单更新', body: '您的订单已发货', url: 'https://shop.example.cn/o/42', data: { orderId: '42' }, ...over },
  options: { ttlSeconds: 7200, collapseKey: 'order-42' },
});

beforeAll(async () => {
  api = await startReceiver(hw);
  cfg = { ...LOOPBACK, ...APP, baseUrl: api.baseUrl, authUrl: api.baseUrl };
});
afterAll(() => api.close());

describe('huawei-push adapter', () => {
  it('takes one OAuth token for concurrent sends and sends a notification to the device token', async () => {
    const adapter = createHuaweiPushAdapter();
    const [res] = await Promise.all([adapter.send(push(), cfg), adapter.send(push(TABLET, { url: undefined, data: undefined }), cfg)]);
    expect(hw.tokensIssued).toBe(1);
    const [oauth, ...sends] = api.requests;
    expect(oauth!.url).toBe('/oauth2/v3/token');
    expect(Object.fromEntries(new URLSearchParams(oauth!.body))).toEqual({ grant_type: 'client_credentials', client_id: APP.appId, client_secret: APP.appSecret });
    expect(sends.map((s) => s.url)).toEqual([`/v1/${APP.appId}/messages:send`, `/v1/${APP.appId}/messages:send`]);
    expect(new Set(sends.map((s) => s.headers.authorization)).size).toBe(1);
    expect(sends[0]!.headers.authorization).toMatch(/^Bearer DQEAA/);
    const phone = JSON.parse(sends.find((s) => JSON.parse(s.body).message.token[0] === PHONE)!.body);
    expect(phone).toEqual({
      validate_only: false,
      message: {
        android: { ttl: '7200s', notification: { title: '订单更新', body: '您的订单已发货', importance: 'NORMAL', click_action: { type: 2, url: 'https://shop.example.cn/o/42' }, tag: 'order-42' } },
        data: '{"orderId":"42"}',
        token: [PHONE],
      },
    });
    const tablet = JSON.parse(sends.find((s) => JSON.parse(s.body).message.token[0] === TABLET)!.body);
    expect(tablet.message.android.notification.click_action).toEqual({ type: 3 });
    expect(tablet.message.data).toBeUndefined();
    expect(res!.providerMessageId).toBe(hw.sent.find((s) => s.token === PHONE)!.requestId);
    await adapter.close();
  });

  it('fetches the token again once when Push Kit says it expired', async () => {
    const adapter = createHuaweiPushAdapter();
    await adapter.send(push(), cfg);
    const issued = hw.tokensIssued;
    hw.expireTokens();
    const before = api.requests.length;
    await adapter.send(push(), cfg);
    expect(hw.tokensIssued).toBe(issued + 1);
    expect(api.requests.slice(before).map((r) => r.url)).toEqual([`/v1/${APP.appId}/messages:send`, '/oauth2/v3/token', `/v1/${APP.appId}/messages:send`]);
    await adapter.close();
  });

  it('maps Push Kit codes: an unknown token is an invalid recipient (pruned), a wrong secret the config', async () => {
    const adapter = createHuaweiPushAdapter();
    const gone = 'IQAAAACy0kYmAADgoneGoneGoneGoneGoneGoneGoneGoneGone00000000000000';
    expect((await expectDeliveryError(adapter.send(push(gone), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('80300007');
    api.replyOnce({ status: 200, body: { code: '80100000', msg: JSON.stringify({ success: 0, failure: 1, illegal_tokens: [PHONE] }), requestId: '1' } });
    expect((await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('80100000');
    expect((await expectDeliveryError(adapter.send(push(), { ...cfg, appSecret: 'wrong-secret-0000000000' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('1101');
    api.replyOnce({ status: 403, body: { code: '80300002', msg: 'The current app does not have the permission to send messages', requestId: '2' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 500, body: { code: '81000001', msg: 'System inner error', requestId: '3' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 429, headers: { 'retry-after': '5' }, body: { code: '80300009', msg: 'flow control', requestId: '4' } });
    expect((await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(5_000);
    api.replyOnce({ status: 400, body: { code: '80100001', msg: 'Some request parameters are incorrect', requestId: '5' } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(push(), { ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);

    const before = api.requests.length;
    await expectDeliveryError(adapter.send(push('short'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(push(undefined, { body: '长'.repeat(1400) }), cfg), DeliveryErrorType.Content, true);
    expect(api.requests.length).toBe(before);
    await adapter.close();
  });

  it('validates its config, naming missing and unknown fields', () => {
    const adapter = createHuaweiPushAdapter();
    expect(configProblemLines(adapter, cfg)).toEqual([]);
    expect(configProblemLines(adapter, { appId: APP.appId })).toEqual([expect.stringMatching(/^appSecret: /)]);
    expect(configProblemLines(adapter, { ...cfg, appId: 'com.example.app', clientId: 'x' })).toEqual(expect.arrayContaining([expect.stringMatching(/^appId: /), expect.stringMatching(/clientId/)]));
  });
});
