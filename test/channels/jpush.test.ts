import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryErrorType } from '../../channels/errors.js';
import { createJpushAdapter, type JpushConfig } from '../../channels/jpush.js';
import type { PushMessage } from '../../channels/types.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { jpushApi } from '../providers/jpush.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';

const APP_KEY = '0123456789abcdef01234567';
const MASTER = 'fedcba9876543210fedcba98';
const jpush = jpushApi({ appKey: APP_KEY, masterSecret: MASTER, devices: ['1a0018970af2f2c4b6e', '160a3797c80c1b2f'] });
let api: Receiver;
let cfg: JpushConfig;
const push = (to = '1a0018970af2f2c4b6e', body = '您的订单已发货'): PushMessage => ({
  channel: 'push',
  messageId: 'dlv_1',
  to,
  content: { title: '订单更新', body, url: 'https://shop.example.cn/o/42', data: { orderId: '42' } },
  options: { ttlSeconds: 3600, collapseKey: 'order-42' },
});

beforeAll(async () => {
  api = await startReceiver(jpush);
  cfg = { ...LOOPBACK, appKey: APP_KEY, masterSecret: MASTER, baseUrl: api.baseUrl };
});
afterAll(() => api.close());

describe('jpush adapter', () => {
  it('pushes to the registration id with Basic auth, for Android and iOS, and returns the msg_id', async () => {
    const adapter = createJpushAdapter();
    const res = await adapter.send(push(), cfg);
    const req = api.requests.at(-1)!;
    expect(req.url).toBe('/v3/push');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${APP_KEY}:${MASTER}`).toString('base64')}`);
    const extras = { orderId: '42', url: 'https://shop.example.cn/o/42' };
    expect(JSON.parse(req.body)).toEqual({
      platform: 'all',
      audience: { registration_id: ['1a0018970af2f2c4b6e'] },
      notification: {
        alert: '您的订单已发货',
        android: { alert: '您的订单已发货', title: '订单更新', extras },
        ios: { alert: { title: '订单更新', body: '您的订单已发货' }, sound: 'default', extras },
      },
      options: { apns_production: true, time_to_live: 3600, apns_collapse_id: 'order-42' },
    });
    expect(res.providerMessageId).toBe(jpush.pushes.at(-1)!.msgId);
    await adapter.send(push('160a3797c80c1b2f'), { ...cfg, apnsProduction: false });
    expect(jpush.pushes.at(-1)!.options).toMatchObject({ apns_production: false });
  });

  it('maps JPush errors: an unknown device is an invalid recipient (pruned), 2002 waits as told', async () => {
    const adapter = createJpushAdapter();
    expect((await expectDeliveryError(adapter.send(push('0a0b0c0d0e0f'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('1011');
    expect((await expectDeliveryError(adapter.send(push(), { ...cfg, masterSecret: 'aaaaaaaaaaaaaaaaaaaaaaaa' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('1004');
    api.replyOnce({ status: 429, headers: { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '12' }, body: { error: { code: 2002, message: 'Rate limit exceeded' } } });
    expect((await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(12_000);
    api.replyOnce({ status: 400, body: { error: { code: 1008, message: 'app_key is invalid' } } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 500, body: { error: { code: 1030, message: 'internal service timeout' } } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 503, body: 'Service Unavailable' });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 400, body: { error: { code: 1003, message: 'Invalid parameter' } } });
    await expectDeliveryError(adapter.send(push(), cfg), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(push(), { ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);

    const before = api.requests.length;
    await expectDeliveryError(adapter.send(push('not a reg id'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(push(undefined, '长'.repeat(700)), cfg), DeliveryErrorType.Content, true);
    expect(api.requests.length).toBe(before);
  });

  it('validates its config, naming missing and unknown fields', () => {
    const adapter = createJpushAdapter();
    expect(configProblemLines(adapter, cfg)).toEqual([]);
    expect(configProblemLines(adapter, { appKey: APP_KEY })).toEqual([expect.stringMatching(/^masterSecret: /)]);
    expect(configProblemLines(adapter, { ...cfg, serverKey: 'x' })).toEqual([expect.stringMatching(/serverKey/)]);
  });
});
