// Receipts from WeChat template messages, Huawei Push Kit and Xiaomi push through the whole
// stack: POST /v1/notifications → the workflow on Temporal → the adapter → a local provider
// server checking the documented send; then the provider's receipt, built as the provider
// documents it (test/providers/push-receipt-senders.ts), posted to Herald's receipt URL moves
// the delivery to delivered or failed with its event in the activity log and the event outbox
// (which feeds analytics and webhooks); a receipt calling a device gone removes it from the
// profile. A forged receipt (a wrong signature, key or token) is refused and changes nothing.
// Each provider runs in a tenant of its own, with the same provider id, so a receipt reaching
// the wrong tenant would show.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';
import { huaweiPushApi } from '../providers/huawei-push.js';
import { postHuaweiReceipts, postWechatEvent, postXiaomiReceipts, templateSendJobFinish, wechatSignedUrl } from '../providers/push-receipt-senders.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { wechatMpApi } from '../providers/wechat-mp.js';
import { xiaomiPushApi } from '../providers/xiaomi-push.js';

const FINAL = new Set(['completed', 'partially_failed', 'failed']);
const PROVIDER = 'push-main';

interface Tenant {
  request: (method: string, path: string, body?: unknown) => ReturnType<TestStack['request']>;
}

describe('push provider receipts through the stack', () => {
  let stack: TestStack;
  const receivers: Receiver[] = [];

  async function tenant(id: string, provider: object, users: Record<string, object>): Promise<Tenant> {
    const created = await stack.request('POST', '/v1/tenants', { id, name: id });
    expect(created.status).toBe(201);
    const key = created.body.adminKey.key as string;
    const t: Tenant = { request: (method, path, body) => stack.request(method, path, body, { key }) };
    // The provider servers listen on loopback, which the outbound guard refuses unless allowlisted.
    expect((await t.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const put = await t.request('PUT', `/v1/providers/${PROVIDER}`, provider);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    for (const [uid, body] of Object.entries(users)) expect((await t.request('PUT', `/v1/users/${uid}`, body)).status).toBeLessThan(300);
    const tpl = await t.request('PUT', '/v1/templates/shipped', { push: { title: '订单{{order}}已发货', body: '顺丰速运', url: 'https://shop.example.cn/o/{{order}}' } });
    expect(tpl.status).toBe(201);
    expect((await t.request('POST', '/v1/templates/shipped/publish')).status).toBe(201);
    return t;
  }

  /** Sends to one user and waits for the run to finish; the user's one delivery. */
  async function sendTo(t: Tenant, userId: string): Promise<{ notificationId: string; delivery: any }> {
    const sent = await t.request('POST', '/v1/notifications', { template: 'shipped', to: { userIds: [userId] }, channels: ['push'], data: { order: 'A42' }, priority: 'high' });
    expect(sent.status).toBe(202);
    const id = sent.body.id as string;
    await eventually(async () => {
      const r = await t.request('GET', `/v1/notifications/${id}`);
      return FINAL.has(r.body?.status) ? r.body : undefined;
    });
    const delivery = (await t.request('GET', `/v1/notifications/${id}/deliveries`)).body.items[0];
    expect(delivery).toMatchObject({ status: 'sent', provider: PROVIDER });
    return { notificationId: id, delivery };
  }

  const deliveryOf = async (t: Tenant, notificationId: string) => (await t.request('GET', `/v1/notifications/${notificationId}/deliveries`)).body.items[0];
  const eventsOf = async (t: Tenant, notificationId: string) => (await t.request('GET', `/v1/notifications/${notificationId}/events`)).body.items as { event: string; provider: string | null; reason: string | null; errorCode?: string | null }[];
  const outboxTopics = async (deliveryId: string) =>
    (await stack.db.selectFrom('event_outbox').select(['topic', 'event_id']).where('event_id', 'like', `${deliveryId}:%`).execute()).map((r) => r.topic).sort();

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await stack?.stop();
  });

  describe('WeChat TEMPLATESENDJOBFINISH', () => {
    const APP = { appId: 'wx00112233445566ff', appSecret: 'ffeeddccbbaa99887766554433221100' };
    const TEMPLATE = 'Tpl_shipping_notice_0123456789abcdef';
    const SERVER_TOKEN = 'HeraldWechatToken42';
    const RECEIPT_TOKEN = 'wechat-receipt-token-0123456789';
    const ADA = 'oAdaFollower0000000000000001';
    const BLOCKER = 'oBlocksAccount00000000000002';
    const mp = wechatMpApi({ ...APP, templateId: TEMPLATE, followers: [ADA, BLOCKER] });
    let t: Tenant;
    let url: string;

    beforeAll(async () => {
      const rx = await startReceiver(mp);
      receivers.push(rx);
      t = await tenant('rcpt-wechat', { channel: 'push', kind: 'wechat-template', config: { ...APP, templateId: TEMPLATE, titleKey: 'thing1', bodyKey: 'thing2', baseUrl: rx.baseUrl, receiptToken: RECEIPT_TOKEN, serverToken: SERVER_TOKEN } }, {
        ada: { name: 'Ada', identities: { wechat: ADA } },
        blocker: { name: 'Blocker', identities: { wechat: BLOCKER } },
      });
      url = `${stack.config.publicUrl}/v1/receipts/${PROVIDER}/wechat/${RECEIPT_TOKEN}`;
    }, 60_000);

    it('answers the server URL check with echostr only when the signature verifies; the tokens are never read back', async () => {
      const ok = await fetch(wechatSignedUrl(url, SERVER_TOKEN, { echostr: '4963263651785429342' }));
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('4963263651785429342');
      expect((await fetch(wechatSignedUrl(url, 'SomeoneElsesToken', { echostr: '1' }))).status).toBe(403);
      const read = JSON.stringify((await t.request('GET', `/v1/providers/${PROVIDER}`)).body);
      expect(read).not.toContain(SERVER_TOKEN);
      expect(read).not.toContain(RECEIPT_TOKEN);
    });

    it('a forged event changes nothing; WeChat’s success moves the delivery to delivered with its event in the log and the outbox', async () => {
      const { notificationId, delivery } = await sendTo(t, 'ada');
      const msgId = mp.sent.at(-1)!.msgid;
      expect(delivery.providerMessageId).toBe(String(msgId));
      const xml = templateSendJobFinish({ account: 'gh_7f083739789a', openid: ADA, msgId, status: 'success' });

      expect((await postWechatEvent(url, 'SomeoneElsesToken', xml, ADA)).status).toBe(403);
      expect((await postWechatEvent(`${stack.config.publicUrl}/v1/receipts/${PROVIDER}/wechat/${'x'.repeat(RECEIPT_TOKEN.length)}`, SERVER_TOKEN, xml, ADA)).status).toBe(403);
      expect((await postWechatEvent(`${stack.config.publicUrl}/v1/receipts/nope/wechat/${RECEIPT_TOKEN}`, SERVER_TOKEN, xml, ADA)).status).toBe(404);
      const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
      expect(unsigned.status).toBe(400);
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'sent' });

      const res = await postWechatEvent(url, SERVER_TOKEN, xml, ADA);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('success');
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'delivered' });
      expect((await eventsOf(t, notificationId)).find((e) => e.event === 'delivered')).toMatchObject({ provider: PROVIDER });
      expect(await outboxTopics(delivery.id)).toContain('delivery.delivered');
      // WeChat retries a push it got no answer for: the second copy adds nothing.
      expect((await postWechatEvent(url, SERVER_TOKEN, xml, ADA)).status).toBe(200);
      expect((await eventsOf(t, notificationId)).filter((e) => e.event === 'delivered')).toHaveLength(1);
    });

    it('failed:user block fails the delivery with WeChat’s status; other events are acknowledged and ignored; malformed XML is 400', async () => {
      const { notificationId, delivery } = await sendTo(t, 'blocker');
      const msgId = mp.sent.at(-1)!.msgid;
      const subscribe = `<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[${BLOCKER}]]></FromUserName><CreateTime>1395658920</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;
      const ignored = await postWechatEvent(url, SERVER_TOKEN, subscribe, BLOCKER);
      expect(ignored.status).toBe(200);
      expect(await ignored.text()).toBe('success');
      expect((await postWechatEvent(url, SERVER_TOKEN, '{"not":"xml"}', BLOCKER)).status).toBe(400);
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'sent' });

      const res = await postWechatEvent(url, SERVER_TOKEN, templateSendJobFinish({ account: 'gh_7f083739789a', openid: BLOCKER, msgId, status: 'failed:user block' }), BLOCKER);
      expect(res.status).toBe(200);
      const after = await deliveryOf(t, notificationId);
      expect(after).toMatchObject({ status: 'failed' });
      expect(after.reason).toMatch(/user block/);
      expect((await eventsOf(t, notificationId)).find((e) => e.event === 'failed')).toMatchObject({ provider: PROVIDER });
      expect(await outboxTopics(delivery.id)).toContain('delivery.failed');
    });
  });

  describe('Huawei Push Kit message receipts', () => {
    const APP = { appId: '104236000', appSecret: 'stack-test-app-secret-0123456789' };
    const RECEIPT = { receiptToken: 'huawei-receipt-token-0123456789', receiptUserName: 'herald', receiptKey: 'hms-callback-key-0123456789' };
    const PHONE = 'IQAAAACy0kYmAADXqQnTmWpS0ZD7vH1fvPUf4Q3r5q6xjB1nWmHwUoUnNnU5ZE8r3Q1q';
    const UNINSTALLED = 'IQAAAACy0kYmAADuninstalledUninstalledUninstalled00000000000000000';
    const MUTED = 'IQAAAACy0kYmAADnotificationsOffNotificationsOff0000000000000000000';
    const hw = huaweiPushApi({ ...APP, devices: [PHONE, UNINSTALLED, MUTED] });
    let t: Tenant;
    let url: string;
    const auth = { userName: RECEIPT.receiptUserName, key: RECEIPT.receiptKey };

    beforeAll(async () => {
      const rx = await startReceiver(hw);
      receivers.push(rx);
      t = await tenant('rcpt-huawei', { channel: 'push', kind: 'huawei-push', config: { ...APP, ...RECEIPT, baseUrl: rx.baseUrl, authUrl: rx.baseUrl } }, {
        chen: { name: 'Chen', identities: { huawei: [PHONE] } },
        wu: { name: 'Wu', identities: { huawei: [UNINSTALLED] } },
        he: { name: 'He', identities: { huawei: [MUTED] } },
      });
      url = `${stack.config.publicUrl}/v1/receipts/${PROVIDER}/huawei/${RECEIPT.receiptToken}`;
    }, 60_000);

    it('status 0 (V1 and V2 bodies) moves the delivery to delivered; a forged callback id changes nothing', async () => {
      const { notificationId, delivery } = await sendTo(t, 'chen');
      const requestId = hw.sent.at(-1)!.requestId;
      const v1 = { biTag: '', appid: APP.appId, token: PHONE, status: 0, timestamp: Date.now(), requestId };

      expect((await postHuaweiReceipts(url, [v1], { userName: 'herald', key: 'not-the-callback-key' })).status).toBe(403);
      expect((await postHuaweiReceipts(url, [v1])).status).toBe(403);
      expect((await postHuaweiReceipts(`${stack.config.publicUrl}/v1/receipts/${PROVIDER}/huawei/${'y'.repeat(31)}`, [v1], auth)).status).toBe(403);
      const bad = await postHuaweiReceipts(url, [{ token: PHONE, requestId }], auth);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as any).error.message).toMatch(/statuses\.0/);
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'sent' });

      const ok = await postHuaweiReceipts(url, [{ token: PHONE, pushType: 0, appPackageName: 'cn.example.shop', biTag: '', requestId, deliveryStatus: { result: 0, timestamp: Date.now() } }], auth);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ errno: '0', errmsg: 'success' });
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'delivered' });
      expect(await outboxTopics(delivery.id)).toContain('delivery.delivered');
      expect((await postHuaweiReceipts(url, [v1], auth)).status).toBe(200);
      expect((await eventsOf(t, notificationId)).filter((e) => e.event === 'delivered')).toHaveLength(1);
    });

    it('status 2 (app uninstalled) fails the delivery and removes the token from the profile, on the timeline', async () => {
      const { notificationId, delivery } = await sendTo(t, 'wu');
      const requestId = hw.sent.at(-1)!.requestId;
      const res = await postHuaweiReceipts(url, [{ biTag: '', appid: APP.appId, token: UNINSTALLED, status: 2, timestamp: Date.now(), requestId }], auth);
      expect(res.status).toBe(200);
      const after = await deliveryOf(t, notificationId);
      expect(after).toMatchObject({ status: 'failed' });
      expect(after.reason).toMatch(/not installed/);
      expect((await t.request('GET', '/v1/users/wu')).body.identities.huawei ?? []).toEqual([]);
      const events = await eventsOf(t, notificationId);
      expect(events.find((e) => e.event === 'target_removed')).toMatchObject({ provider: PROVIDER });
      expect(JSON.stringify(events)).not.toContain(UNINSTALLED);
      expect(await outboxTopics(delivery.id)).toContain('delivery.failed');
    });

    it('status 27 (cached, not final) goes on the timeline only; status 6 (notifications off) fails the delivery and keeps the token', async () => {
      const { notificationId } = await sendTo(t, 'he');
      const requestId = hw.sent.at(-1)!.requestId;
      const receipt = (status: number) => ({ biTag: '', appid: APP.appId, token: MUTED, status, timestamp: Date.now(), requestId });
      expect((await postHuaweiReceipts(url, [receipt(27)], auth)).status).toBe(200);
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'sent' });
      expect((await eventsOf(t, notificationId)).find((e) => e.event === 'delayed')).toMatchObject({ errorCode: '27' });
      expect((await postHuaweiReceipts(url, [receipt(6)], auth)).status).toBe(200);
      const after = await deliveryOf(t, notificationId);
      expect(after).toMatchObject({ status: 'failed' });
      expect(after.reason).toMatch(/notifications are turned off/);
      expect((await t.request('GET', '/v1/users/he')).body.identities.huawei).toEqual([MUTED]);
      expect((await eventsOf(t, notificationId)).some((e) => e.event === 'target_removed')).toBe(false);
    });
  });

  describe('Xiaomi push receipts', () => {
    const SECRET = 'stack-mi-secret-0123456789abcdef';
    const PKG = 'cn.example.shop';
    const TOKEN = 'xiaomi-receipt-token-0123456789';
    const PHONE = 'hA0xWx7Gb0o8l0G2jO+tdJ1qVx2T1XZkP3mQ9rS5uV7wYz=';
    const GONE = 'b2xkRGV2aWNlUmVnSWRXaGljaElzR29uZTAwMDA=';
    const mi = xiaomiPushApi({ appSecret: SECRET, packageName: PKG, devices: [PHONE, GONE] });
    let t: Tenant;

    beforeAll(async () => {
      const rx = await startReceiver(mi);
      receivers.push(rx);
      const receiptUrl = `${stack.config.publicUrl}/v1/receipts/${PROVIDER}/xiaomi/${TOKEN}`;
      t = await tenant('rcpt-xiaomi', { channel: 'push', kind: 'xiaomi-push', config: { appSecret: SECRET, packageName: PKG, baseUrl: rx.baseUrl, receiptToken: TOKEN, receiptUrl } }, {
        zhou: { name: 'Zhou', identities: { xiaomi: [PHONE] } },
        qian: { name: 'Qian', identities: { xiaomi: [GONE] } },
      });
    }, 60_000);

    it('asks MiPush for delivered and invalid-device receipts at the receipt URL; type 1 moves the delivery to delivered', async () => {
      const { notificationId, delivery } = await sendTo(t, 'zhou');
      const sent = mi.sent.at(-1)!;
      // The callback MiPush posts to is the one the message carried.
      const callback = sent.form['extra.callback']!;
      expect(callback).toBe(`${stack.config.publicUrl}/v1/receipts/${PROVIDER}/xiaomi/${TOKEN}`);
      expect(sent.form['extra.callback.type']).toBe('17');

      expect((await postXiaomiReceipts(callback.replace(TOKEN, 'z'.repeat(TOKEN.length)), { [sent.id]: { type: 1, targets: [PHONE] } })).status).toBe(403);
      expect((await postXiaomiReceipts(callback, { [sent.id]: { type: Number.NaN, targets: [PHONE] } })).status).toBe(400);
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'sent' });

      expect((await postXiaomiReceipts(callback, { [sent.id]: { type: 1, targets: [PHONE] } })).status).toBe(200);
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'delivered' });
      expect(await outboxTopics(delivery.id)).toContain('delivery.delivered');
    });

    it('type 16 (invalid target device) fails the delivery and removes the registration id', async () => {
      const { notificationId } = await sendTo(t, 'qian');
      const sent = mi.sent.at(-1)!;
      expect((await postXiaomiReceipts(sent.form['extra.callback']!, { [sent.id]: { type: 16, targets: [GONE] } })).status).toBe(200);
      expect(await deliveryOf(t, notificationId)).toMatchObject({ status: 'failed' });
      expect((await t.request('GET', '/v1/users/qian')).body.identities.xiaomi ?? []).toEqual([]);
      expect((await eventsOf(t, notificationId)).some((e) => e.event === 'target_removed')).toBe(true);
    });

    it('a receiptUrl that does not end in the receiptToken is refused when the provider is saved', async () => {
      const put = await t.request('PUT', '/v1/providers/mi-bad', { channel: 'push', kind: 'xiaomi-push', config: { appSecret: SECRET, packageName: PKG, receiptToken: TOKEN, receiptUrl: 'https://herald.example.com/v1/receipts/mi-bad/xiaomi/another-token-0123456789' } });
      expect(put.status).toBe(422);
      expect(JSON.stringify(put.body)).toMatch(/receiptUrl/);
    });
  });
});
