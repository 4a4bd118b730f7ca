// WeChat Official Account template messages through the whole stack: a push template's
// title, body and data fill the account's template (title/body on the configured keys) for
// each user's `wechat` openid, against a local server checking WeChat's documented stable
// token and template-send calls; a user who unfollowed ends failed (43004) and keeps the
// openid, which stays valid should they follow again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { wechatMpApi } from '../providers/wechat-mp.js';

const APP = { appId: 'wx00112233445566ff', appSecret: 'ffeeddccbbaa99887766554433221100' };
const TEMPLATE = 'Tpl_shipping_notice_0123456789abcdef';
const ADA = 'oAdaFollower0000000000000001';
const GONE = 'oGoneUnfollowed000000000002';

describe('WeChat template messages through the stack', () => {
  let stack: TestStack;
  const mp = wechatMpApi({ ...APP, templateId: TEMPLATE, followers: [ADA], unfollowed: [GONE] });
  let wx: Receiver;

  beforeAll(async () => {
    stack = await startStack();
    // The provider's local receivers are on loopback: the tenant allowlists it, as it would a private gateway.
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    wx = await startReceiver(mp);
    const put = await stack.request('PUT', '/v1/providers/wechat-mp', { channel: 'push', kind: 'wechat-template', config: { ...APP, templateId: TEMPLATE, titleKey: 'thing1', bodyKey: 'thing2', baseUrl: wx.baseUrl } });
    expect(put.status).toBe(201);
    expect(JSON.stringify(put.body)).not.toContain(APP.appSecret);
    const bad = await stack.request('PUT', '/v1/providers/wechat-bad', { channel: 'push', kind: 'wechat-template', config: { ...APP, titleKey: 'thing1' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/templateId/);
    expect((await stack.request('PUT', '/v1/users/ada', { name: 'Ada', identities: { wechat: ADA } })).status).toBeLessThan(300);
    expect((await stack.request('PUT', '/v1/users/gone', { name: 'Gone', identities: { wechat: GONE } })).status).toBeLessThan(300);
    const tpl = await stack.request('PUT', '/v1/templates/shipped', {
      push: { title: '订单{{order}}已发货', body: '{{carrier}}', url: 'https://shop.example.cn/o/{{order}}', data: { character_string3: '{{order}}' } },
    });
    expect(tpl.status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/shipped/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    await wx?.close();
  });

  it('fills the template for the follower’s openid; an unfollowed user fails and keeps the openid', async () => {
    const sent = await stack.request('POST', '/v1/notifications', { template: 'shipped', to: { userIds: ['ada', 'gone'] }, channels: ['push'], data: { order: 'A42', carrier: '顺丰速运' }, priority: 'high' });
    expect(sent.status).toBe(202);
    const id = sent.body.id as string;
    await waitForFinal(stack, id);

    expect(mp.sent).toHaveLength(1);
    expect(mp.sent[0]).toMatchObject({
      touser: ADA,
      templateId: TEMPLATE,
      url: 'https://shop.example.cn/o/A42',
      data: { thing1: { value: '订单A42已发货' }, thing2: { value: '顺丰速运' }, character_string3: { value: 'A42' } },
      clientMsgId: expect.stringMatching(/^dlv_/),
    });
    expect(wx.requests.filter((r) => r.url.startsWith('/cgi-bin/stable_token'))).toHaveLength(1);

    const rows = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items as any[];
    const of = (user: string) => rows.find((d) => d.userId === user);
    expect(of('ada')).toMatchObject({ status: 'sent', provider: 'wechat-mp', providerMessageId: String(mp.sent[0]!.msgid) });
    expect(of('gone')).toMatchObject({ status: 'failed', provider: 'wechat-mp' });
    expect(JSON.stringify(of('gone'))).toMatch(/43004/);
    expect((await stack.request('GET', '/v1/users/gone')).body.identities.wechat).toBe(GONE);
  });
});
