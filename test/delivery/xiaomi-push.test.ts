// Xiaomi push through the whole stack: a push goes to every registration id in the user's
// `xiaomi` identity (a local server checking MiPush's documented form and AppSecret key); an id
// MiPush does not know ("No valid targets!") is forgotten from the user's profile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { xiaomiPushApi } from '../providers/xiaomi-push.js';

const SECRET = 'stack-mi-secret-0123456789abcdef';
const PKG = 'cn.example.shop';
const PHONE = 'hA0xWx7Gb0o8l0G2jO+tdJ1qVx2T1XZkP3mQ9rS5uV7wYz=';
const OLD = 'b2xkRGV2aWNlUmVnSWRXaGljaElzR29uZTAwMDA=';

describe('Xiaomi push through the stack', () => {
  let stack: TestStack;
  const mi = xiaomiPushApi({ appSecret: SECRET, packageName: PKG, devices: [PHONE] });
  let rx: Receiver;

  beforeAll(async () => {
    stack = await startStack();
    // The provider's local receivers are on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    rx = await startReceiver(mi);
    const put = await stack.request('PUT', '/v1/providers/mipush', { channel: 'push', kind: 'xiaomi-push', config: { appSecret: SECRET, packageName: PKG, baseUrl: rx.baseUrl } });
    expect(put.status).toBe(201);
    expect(JSON.stringify(put.body)).not.toContain(SECRET);
    expect((await stack.request('PUT', '/v1/users/zhou', { name: 'Zhou', identities: { xiaomi: [PHONE, OLD] } })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/templates/shipped', { push: { title: '订单{{order}}', body: '已发货', url: 'https://shop.example.cn/o/{{order}}' } })).status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/shipped/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    await rx?.close();
  });

  it('pushes to every registration id and forgets the one MiPush does not know', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'shipped', to: { userIds: ['zhou'] }, channels: ['push'], data: { order: 'M9' }, priority: 'high' });
    expect(sent.status).toBe(202);
    expect((await waitForFinal(stack, sent.body.id)).status).toBe('completed');
    expect(mi.sent.map((s) => s.regid)).toEqual([PHONE]);
    expect(mi.sent[0]!.form).toMatchObject({ title: '订单M9', description: '已发货', restricted_package_name: PKG, 'extra.web_uri': 'https://shop.example.cn/o/M9' });
    expect(rx.requests.every((r) => r.headers.authorization === `key=${SECRET}`)).toBe(true);
    const row = ((await stack.request('GET', `/v1/notifications/${sent.body.id}/deliveries`)).body.items as any[])[0];
    expect(row).toMatchObject({ status: 'sent', provider: 'mipush', providerMessageId: mi.sent[0]!.id });
    expect((await stack.request('GET', '/v1/users/zhou')).body.identities.xiaomi).toEqual([PHONE]);
  });
});
