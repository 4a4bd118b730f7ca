// JPush through the whole stack: a push notification goes to every registration id in the
// user's `jpush` identity (a local server checking JPush's documented request and Basic
// auth); a device JPush no longer knows (1011) is forgotten from the user's profile, and a
// user whose only device is gone ends failed with nothing left to try.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { jpushApi } from '../providers/jpush.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';

const JP = { appKey: 'aaaabbbbccccdddd00001111', masterSecret: '0000111122223333aaaabbbb' };
const PHONE = '1a0018970af2f2c4b6e';
const OLD_PHONE = '13165ffa4e0c3f1a2b9';
const TABLET = '160a3797c80c1b2f';

describe('JPush through the stack', () => {
  let stack: TestStack;
  const jpush = jpushApi({ ...JP, devices: [PHONE, TABLET] });
  let jp: Receiver;

  beforeAll(async () => {
    stack = await startStack();
    // The provider's local receivers are on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    jp = await startReceiver(jpush);
    const put = await stack.request('PUT', '/v1/providers/jpush-cn', { channel: 'push', kind: 'jpush', config: { ...JP, baseUrl: jp.baseUrl } });
    expect(put.status).toBe(201);
    expect(JSON.stringify(put.body)).not.toContain(JP.masterSecret);
    expect((await stack.request('PUT', '/v1/users/li', { name: 'Li', identities: { jpush: [PHONE, OLD_PHONE, TABLET] } })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/users/wang', { name: 'Wang', identities: { jpush: [OLD_PHONE] } })).status).toBeLessThan(300);
    const tpl = await stack.request('PUT', '/v1/templates/shipped', { push: { title: '订单 {{order}}', body: '您的订单 {{order}} 已发货', url: 'https://shop.example.cn/o/{{order}}' } });
    expect(tpl.status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/shipped/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    await jp?.close();
  });

  it('refuses a bad config or registration id at the boundary', async () => {
    const bad = await stack.request('PUT', '/v1/providers/jpush-bad', { channel: 'push', kind: 'jpush', config: { appKey: JP.appKey, masterSecret: 'short', region: 'cn' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/masterSecret/);
    expect(bad.body.error.message).toMatch(/region/);
    expect(JSON.stringify(bad.body)).not.toContain('short');
    const badId = await stack.request('PUT', '/v1/users/zhao', { name: 'Zhao', identities: { jpush: ['not a registration id'] } });
    expect(badId.status).toBe(400);
    expect(JSON.stringify(badId.body)).toMatch(/jpush/);
  });

  it('pushes to every device, forgets the one JPush calls gone, and fails a user with none left', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'shipped', to: { userIds: ['li', 'wang'] }, channels: ['push'], data: { order: 'A-42' }, priority: 'high' });
    expect(sent.status).toBe(202);
    const id = sent.body.id as string;
    await waitForFinal(stack, id);

    const auth = `Basic ${Buffer.from(`${JP.appKey}:${JP.masterSecret}`).toString('base64')}`;
    expect(jp.requests.every((r) => r.headers.authorization === auth)).toBe(true);
    expect(jpush.pushes.map((p) => p.registrationId).sort()).toEqual([PHONE, TABLET].sort());
    expect(jpush.pushes[0]!.notification).toMatchObject({
      android: { alert: '您的订单 A-42 已发货', title: '订单 A-42', extras: { url: 'https://shop.example.cn/o/A-42' } },
      ios: { alert: { title: '订单 A-42', body: '您的订单 A-42 已发货' } },
    });

    const rows = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as any[];
    const of = (user: string) => rows.find((d) => d.userId === user);
    expect(of('li')).toMatchObject({ status: 'sent', provider: 'jpush-cn', providerMessageId: expect.stringMatching(/^\d+$/) });
    expect(of('wang')).toMatchObject({ status: 'failed', provider: 'jpush-cn' });
    expect(JSON.stringify(of('wang'))).toMatch(/1011/);

    expect((await stack.request('GET', '/v1/users/li')).body.identities.jpush).toEqual([PHONE, TABLET]);
    expect((await stack.request('GET', '/v1/users/wang')).body.identities.jpush).toEqual([]);
    // The gone device was asked once per user, never retried.
    expect(jp.requests.filter((r) => JSON.parse(r.body).audience.registration_id[0] === OLD_PHONE)).toHaveLength(2);
  });
});
