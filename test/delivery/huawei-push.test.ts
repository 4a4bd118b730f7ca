// Huawei Push Kit through the whole stack: a push goes to every token in the user's `huawei`
// identity (a local server checking Push Kit's OAuth and send calls); a token Push Kit calls
// invalid (80300007) is forgotten from the user's profile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { huaweiPushApi } from '../providers/huawei-push.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';

const APP = { appId: '104236000', appSecret: 'stack-test-app-secret-0123456789' };
const PHONE = 'IQAAAACy0kYmAADXqQnTmWpS0ZD7vH1fvPUf4Q3r5q6xjB1nWmHwUoUnNnU5ZE8r3Q1q';
const OLD = 'IQAAAACy0kYmAADoldOldOldOldOldOldOldOldOldOldOldOldOld0000000000000';

describe('Huawei Push Kit through the stack', () => {
  let stack: TestStack;
  const hw = huaweiPushApi({ ...APP, devices: [PHONE] });
  let rx: Receiver;

  beforeAll(async () => {
    stack = await startStack();
    // The provider's local receivers are on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    rx = await startReceiver(hw);
    const put = await stack.request('PUT', '/v1/providers/hms', { channel: 'push', kind: 'huawei-push', config: { ...APP, baseUrl: rx.baseUrl, authUrl: rx.baseUrl } });
    expect(put.status).toBe(201);
    expect(JSON.stringify(put.body)).not.toContain(APP.appSecret);
    expect((await stack.request('PUT', '/v1/users/chen', { name: 'Chen', identities: { huawei: [OLD, PHONE] } })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/templates/shipped', { push: { title: 'Order {{order}}', body: 'Shipped', url: 'https://shop.example.cn/o/{{order}}' } })).status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/shipped/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    await rx?.close();
  });

  it('pushes to every token with one OAuth token and forgets the one Push Kit calls invalid', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'shipped', to: { userIds: ['chen'] }, channels: ['push'], data: { order: 'H7' }, priority: 'high' });
    expect(sent.status).toBe(202);
    expect((await waitForFinal(stack, sent.body.id)).status).toBe('completed');
    expect(hw.sent.map((s) => s.token)).toEqual([PHONE]);
    expect(hw.sent[0]!.android.notification).toMatchObject({ title: 'Order H7', body: 'Shipped', click_action: { type: 2, url: 'https://shop.example.cn/o/H7' } });
    expect(rx.requests.filter((r) => r.url === '/oauth2/v3/token')).toHaveLength(1);
    const row = ((await stack.request('GET', `/v1/notifications/${sent.body.id}/deliveries`)).body.items as any[])[0];
    expect(row).toMatchObject({ status: 'sent', provider: 'hms', providerMessageId: hw.sent[0]!.requestId });
    expect((await stack.request('GET', '/v1/users/chen')).body.identities.huawei).toEqual([PHONE]);
  });
});
