// Aliyun and Tencent SMS through the whole stack: POST /v1/notifications (and /v1/otp) → the
// real workflow on Temporal → the adapters → local endpoints that check each provider's
// documented request and signature (Aliyun RPC signature v1, Tencent TC3-HMAC-SHA256). Then
// the providers' delivery reports, posted as they push them, move the delivery to delivered
// or failed. Each scenario runs in a tenant of its own, so each has its own SMS routing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliyunSmsApi } from '../providers/aliyun.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { tencentSmsApi } from '../providers/tencent.js';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';

const ALIYUN = { id: 'LTAI5tStackKeyId', secret: 'stackSecret/with+chars=' };
const TENCENT = { id: 'AKIDstackEXAMPLE0123456789', key: 'stackKeyEXAMPLE0123456789', app: '1400006666' };
const ALIYUN_TOKEN = 'aliyun-report-token-0123456789';
const TENCENT_TOKEN = 'tencent-report-token-0123456789';

/** A template with both providers' registered templates, parameters from data and from the recipient. */
const TEMPLATE = {
  sms: {
    text: '{{recipient.name}}, your code is {{code}}',
    providers: {
      'aliyun-sms': { templateCode: 'SMS_154950909', templateParam: { code: '{{code}}', name: '{{recipient.name}}' } },
      'tencent-sms': { templateId: '449739', signName: '赫拉德', templateParamSet: ['{{code}}', '{{recipient.name}}'] },
    },
  },
  variables: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } },
  exampleData: { code: '000000' },
};

interface Tenant {
  request: (method: string, path: string, body?: unknown) => ReturnType<TestStack['request']>;
}

const FINAL = new Set(['completed', 'partially_failed', 'failed']);

/** waitForFinal, with the tenant's own key. */
const finished = (t: Tenant, id: string) =>
  eventually(async () => {
    const r = await t.request('GET', `/v1/notifications/${id}`);
    return FINAL.has(r.body?.status) ? r.body : undefined;
  });

describe('Chinese SMS end to end', () => {
  let stack: TestStack;
  const rx: Record<string, Receiver> = {};

  const aliyunProvider = (rxName: string, order: number) => ({
    channel: 'sms',
    kind: 'aliyun-sms',
    order,
    config: { accessKeyId: ALIYUN.id, accessKeySecret: ALIYUN.secret, signName: '阿里云短信测试', endpoint: `${rx[rxName]?.baseUrl}/`, receiptToken: ALIYUN_TOKEN },
  });
  const tencentProvider = (rxName: string, order: number) => ({
    channel: 'sms',
    kind: 'tencent-sms',
    order,
    config: { secretId: TENCENT.id, secretKey: TENCENT.key, sdkAppId: TENCENT.app, signName: '腾讯云', endpoint: rx[rxName]?.baseUrl, receiptToken: TENCENT_TOKEN },
  });

  /** A tenant of its own with these SMS providers, the template `code` and users. */
  async function tenant(id: string, providers: Record<string, object>, template: object = TEMPLATE): Promise<Tenant> {
    const created = await stack.request('POST', '/v1/tenants', { id, name: id });
    expect(created.status).toBe(201);
    const key = created.body.adminKey.key as string;
    const t: Tenant = { request: (method, path, body) => stack.request(method, path, body, { key }) };
    // The provider endpoints listen on loopback, which the outbound guard refuses unless allowlisted.
    expect((await t.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    for (const [pid, body] of Object.entries(providers)) expect((await t.request('PUT', `/v1/providers/${pid}`, body)).status).toBe(201);
    expect((await t.request('PUT', '/v1/templates/code', template)).status).toBeLessThan(300);
    expect((await t.request('POST', '/v1/templates/code/publish')).status).toBe(201);
    expect((await t.request('PUT', '/v1/users/li', { name: '李雷', phone: '+8613800138000' })).status).toBeLessThan(300);
    return t;
  }

  async function sent(t: Tenant, userId = 'li', code = '482913'): Promise<{ id: string; delivery: any }> {
    const res = await t.request('POST', '/v1/notifications', { template: 'code', to: { userIds: [userId] }, data: { code } });
    expect(res.status).toBe(202);
    await finished(t, res.body.id);
    const deliveries = await t.request('GET', `/v1/notifications/${res.body.id}/deliveries`);
    return { id: res.body.id, delivery: deliveries.body.items[0] };
  }

  const providerMessageId = async (deliveryId: string) =>
    (await stack.db.selectFrom('deliveries').select('provider_message_id').where('id', '=', deliveryId).executeTakeFirstOrThrow()).provider_message_id as string;

  const postReport = (providerId: string, token: string, body: unknown) =>
    fetch(`${stack.config.publicUrl}/v1/receipts/${providerId}/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    stack = await startStack();
    for (const name of ['aliyun', 'failoverAliyun']) rx[name] = await startReceiver(aliyunSmsApi(ALIYUN.id, ALIYUN.secret));
    for (const name of ['tencent', 'failoverTencent']) rx[name] = await startReceiver(tencentSmsApi(TENCENT.id, TENCENT.key, TENCENT.app));
  }, 120_000);
  afterAll(async () => {
    for (const r of Object.values(rx)) await r.close();
    await stack?.stop();
  });

  describe('over Aliyun', () => {
    let t: Tenant;
    beforeAll(async () => {
      t = await tenant('sms-aliyun', { 'aliyun-main': aliyunProvider('aliyun', 0) });
    }, 60_000);

    it('sends the registered template with parameters from data and the recipient, signed', async () => {
      const { delivery } = await sent(t);
      expect(delivery).toMatchObject({ provider: 'aliyun-main', status: 'sent', address: '+8613800138000', reason: null });
      const form = new URLSearchParams(rx.aliyun?.requests.at(-1)?.body);
      expect(form.get('Action')).toBe('SendSms');
      expect(form.get('TemplateCode')).toBe('SMS_154950909');
      expect(form.get('SignName')).toBe('阿里云短信测试');
      expect(form.get('PhoneNumbers')).toBe('13800138000');
      expect(JSON.parse(form.get('TemplateParam') ?? '{}')).toEqual({ code: '482913', name: '李雷' });
      // OutId is the ledger's message id, so a report can be traced back to the delivery.
      expect(form.get('OutId')).toBe(delivery.messageId);
    });

    it('an SmsReport push after the send moves the delivery to delivered, with its event', async () => {
      const { id, delivery } = await sent(t, 'li', '246810');
      const form = new URLSearchParams(rx.aliyun?.requests.at(-1)?.body);
      const bizId = await providerMessageId(delivery.id);
      expect(bizId).toMatch(/^\d+\^0$/);
      const report = { phone_number: '13800138000', send_time: '2026-12-06 10:00:00', report_time: '2026-12-06 10:00:03', success: true, err_code: 'DELIVERED', err_msg: '用户接收成功', sms_size: '1', biz_id: bizId, out_id: form.get('OutId') };
      const res = await postReport('aliyun-main', ALIYUN_TOKEN, [report]);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ code: 0, msg: '成功' });
      const after = (await t.request('GET', `/v1/notifications/${id}/deliveries`)).body.items[0];
      expect(after).toMatchObject({ status: 'delivered' });
      const events = (await t.request('GET', `/v1/notifications/${id}/events`)).body.items as { event: string; provider: string }[];
      expect(events.find((e) => e.event === 'delivered')).toMatchObject({ provider: 'aliyun-main' });
    });

    it('refuses reports with a wrong token (403), for an unknown provider (404) and of the wrong shape (400)', async () => {
      const report = [{ biz_id: '1^0', success: true }];
      expect((await postReport('aliyun-main', 'x'.repeat(ALIYUN_TOKEN.length), report)).status).toBe(403);
      expect((await postReport('aliyun-nope', ALIYUN_TOKEN, report)).status).toBe(404);
      const bad = await postReport('aliyun-main', ALIYUN_TOKEN, [{ biz_id: '1^0', success: 'yes' }]);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('0.success');
      // The token is a secret: never in a read of the provider.
      const read = await t.request('GET', '/v1/providers/aliyun-main');
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain(ALIYUN_TOKEN);
    });

    it('previews the registered templates with their parameters rendered for a sample recipient', async () => {
      const res = await t.request('POST', '/v1/templates/code/preview', { data: { code: '135790' }, channel: 'sms', recipient: { name: '韩梅梅' } });
      expect(res.status).toBe(200);
      expect(res.body.channels.sms).toMatchObject({
        text: '韩梅梅, your code is 135790',
        providers: {
          'aliyun-sms': { templateCode: 'SMS_154950909', templateParam: { code: '135790', name: '韩梅梅' } },
          'tencent-sms': { templateId: '449739', signName: '赫拉德', templateParamSet: ['135790', '韩梅梅'] },
        },
      });
    });

    it('sends an OTP through the registered template, and the code it carried verifies', async () => {
      const otpTemplate = { sms: { text: 'Code {{code}}, valid {{minutes}} min', providers: { 'aliyun-sms': { templateCode: 'SMS_OTP_1', signName: '赫拉德', templateParam: { code: '{{code}}', minutes: '{{minutes}}' } } } } };
      expect((await t.request('PUT', '/v1/templates/otp', otpTemplate)).status).toBeLessThan(300);
      expect((await t.request('POST', '/v1/templates/otp/publish')).status).toBe(201);
      const before = rx.aliyun?.requests.length ?? 0;
      const otp = await t.request('POST', '/v1/otp', { userId: 'li', ttlSeconds: 300 });
      expect(otp.status).toBe(201);
      const request = await eventually(async () => rx.aliyun?.requests.slice(before).find((r) => new URLSearchParams(r.body).get('TemplateCode') === 'SMS_OTP_1'));
      const form = new URLSearchParams(request.body);
      expect(form.get('SignName')).toBe('赫拉德');
      const param = JSON.parse(form.get('TemplateParam') ?? '{}') as { code: string; minutes: string };
      expect(param).toMatchObject({ code: expect.stringMatching(/^\d{6}$/), minutes: '5' });
      expect((await finished(t, otp.body.notificationId)).status).toBe('completed');
      const verified = await t.request('POST', '/v1/otp/verify', { id: otp.body.id, code: param.code });
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ verified: true, userId: 'li' });
    });

    it('refuses (422, before anything is queued) a send whose template has no code for the only SMS provider', async () => {
      expect((await t.request('PUT', '/v1/templates/plain', { sms: { text: 'Hello {{recipient.name}}' } })).status).toBeLessThan(300);
      expect((await t.request('POST', '/v1/templates/plain/publish')).status).toBe(201);
      const before = (await t.request('GET', '/v1/notifications?limit=100')).body.items.length;
      const res = await t.request('POST', '/v1/notifications', { template: 'plain', to: { userIds: ['li'] }, data: {} });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('sms_template_code_missing');
      expect(res.body.error.message).toContain('aliyun-main');
      expect(res.body.error.details).toEqual([{ template: 'plain', locale: null, provider: 'aliyun-main', kind: 'aliyun-sms', missing: 'templateCode' }]);
      expect((await t.request('GET', '/v1/notifications?limit=100')).body.items.length).toBe(before);
      // The same for an OTP over that template.
      expect((await t.request('POST', '/v1/otp', { userId: 'li', template: 'plain' })).status).toBe(422);
    });

    it('checks each locale’s own registered templates: a variant that replaces them without an Aliyun code is refused, naming the locale', async () => {
      const zhTencentOnly = { ...TEMPLATE, locales: { zh: { sms: { providers: { 'tencent-sms': TEMPLATE.sms.providers['tencent-sms'] } } } } };
      expect((await t.request('PUT', '/v1/templates/localized', zhTencentOnly)).status).toBeLessThan(300);
      expect((await t.request('POST', '/v1/templates/localized/publish')).status).toBe(201);
      const res = await t.request('POST', '/v1/notifications', { template: 'localized', to: { userIds: ['li'] }, data: { code: '1' } });
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([{ template: 'localized', locale: 'zh', provider: 'aliyun-main', kind: 'aliyun-sms', missing: 'templateCode' }]);
      expect(res.body.error.message).toContain('(locale zh)');
    });

    it('refuses to save codes for a provider kind that does not send registered templates', async () => {
      const res = await t.request('PUT', '/v1/templates/odd', { sms: { text: 'x', providers: { twilio: { templateCode: 'A' } } }, locales: { zh: { sms: { providers: { 'huawei-sms': { templateId: '1' } } } } } });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('unknown_sms_provider_kind');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['sms.providers.twilio', 'locales.zh.sms.providers.huawei-sms']);
    });
  });

  describe('over Tencent', () => {
    let t: Tenant;
    beforeAll(async () => {
      t = await tenant('sms-tencent', { 'tencent-main': tencentProvider('tencent', 0) });
    }, 60_000);

    it('sends the registered template with TC3-signed SendSms, under the template’s own signature', async () => {
      const { delivery } = await sent(t, 'li', '771122');
      expect(delivery).toMatchObject({ provider: 'tencent-main', status: 'sent' });
      const body = JSON.parse(rx.tencent?.requests.at(-1)?.body ?? '{}');
      expect(body).toMatchObject({ PhoneNumberSet: ['+8613800138000'], SmsSdkAppId: TENCENT.app, TemplateId: '449739', SignName: '赫拉德', TemplateParamSet: ['771122', '李雷'] });
    });

    it('a FAIL status callback fails the delivery with the provider’s reason, on the timeline too', async () => {
      const { id, delivery } = await sent(t, 'li', '771123');
      const sid = await providerMessageId(delivery.id);
      expect(sid).toMatch(/^5000:/);
      const report = { user_receive_time: '2026-12-06 10:00:05', nationcode: '86', mobile: '13800138000', report_status: 'FAIL', errmsg: 'MK:0005', description: '空号', sid };
      const res = await postReport('tencent-main', TENCENT_TOKEN, [report]);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ result: 0, errmsg: 'OK' });
      const after = (await t.request('GET', `/v1/notifications/${id}/deliveries`)).body.items[0];
      expect(after).toMatchObject({ status: 'failed', reason: 'tencent-sms reported MK:0005: 空号' });
      const events = (await t.request('GET', `/v1/notifications/${id}/events`)).body.items as { event: string; reason: string; errorCode: string }[];
      expect(events.find((e) => e.event === 'failed')).toMatchObject({ reason: 'tencent-sms reported MK:0005: 空号', errorCode: 'MK:0005' });
    });

    it('a SUCCESS callback marks a Tencent delivery delivered; another provider’s token does not open its URL', async () => {
      const { id, delivery } = await sent(t, 'li', '123123');
      const res = await postReport('tencent-main', TENCENT_TOKEN, [{ report_status: 'SUCCESS', errmsg: 'DELIVRD', description: '用户短信送达成功', sid: await providerMessageId(delivery.id), mobile: '13800138000', nationcode: '86' }]);
      expect(res.status).toBe(200);
      expect((await t.request('GET', `/v1/notifications/${id}/deliveries`)).body.items[0]).toMatchObject({ status: 'delivered' });
      // The Aliyun token does not open Tencent's URL.
      expect((await postReport('tencent-main', ALIYUN_TOKEN, [])).status).toBe(403);
    });
  });

  describe('failover from Aliyun to Tencent', () => {
    let t: Tenant;
    beforeAll(async () => {
      t = await tenant('sms-failover', { 'aliyun-main': aliyunProvider('failoverAliyun', 0), 'tencent-backup': tencentProvider('failoverTencent', 1) });
      expect((await t.request('PUT', '/v1/users/bad', { name: 'Bad', phone: '+861234567' })).status).toBeLessThan(300);
    }, 60_000);

    it('Tencent delivers when Aliyun answers with its throttling error (isv.BUSINESS_LIMIT_CONTROL)', async () => {
      const aliyunBefore = rx.failoverAliyun?.requests.length ?? 0;
      rx.failoverAliyun?.replyOnce({ status: 200, body: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1', RequestId: 'r1' } });
      const { delivery } = await sent(t, 'li', '555001');
      expect(rx.failoverAliyun?.requests.length).toBe(aliyunBefore + 1);
      expect(delivery).toMatchObject({ provider: 'tencent-backup', status: 'sent' });
      expect(JSON.parse(rx.failoverTencent?.requests.at(-1)?.body ?? '{}').TemplateParamSet).toEqual(['555001', '李雷']);
    });

    it('a template with only a Tencent code is accepted, and Tencent sends it without Aliyun being asked', async () => {
      const tencentOnly = { ...TEMPLATE, sms: { ...TEMPLATE.sms, providers: { 'tencent-sms': TEMPLATE.sms.providers['tencent-sms'] } } };
      expect((await t.request('PUT', '/v1/templates/code', tencentOnly)).status).toBe(200);
      expect((await t.request('POST', '/v1/templates/code/publish')).status).toBe(201);
      const aliyunBefore = rx.failoverAliyun?.requests.length ?? 0;
      const { delivery } = await sent(t, 'li', '555002');
      expect(delivery).toMatchObject({ provider: 'tencent-backup', status: 'sent' });
      expect(rx.failoverAliyun?.requests.length).toBe(aliyunBefore);
      expect((await t.request('PUT', '/v1/templates/code', TEMPLATE)).status).toBe(200);
      expect((await t.request('POST', '/v1/templates/code/publish')).status).toBe(201);
    });

    it('an invalid number is a permanent failure of the recipient: no failover', async () => {
      const tencentBefore = rx.failoverTencent?.requests.length ?? 0;
      const { id, delivery } = await sent(t, 'bad', '555003');
      expect(delivery).toMatchObject({ status: 'failed', provider: 'aliyun-main' });
      expect(delivery.reason).toContain('isv.MOBILE_NUMBER_ILLEGAL');
      expect(rx.failoverTencent?.requests.length).toBe(tencentBefore);
      expect((await t.request('GET', `/v1/notifications/${id}`)).body.status).toBe('failed');
    });
  });
});
