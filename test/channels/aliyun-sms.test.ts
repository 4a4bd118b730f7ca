import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliyunSmsAdapter } from '../../channels/aliyun-sms.js';
import type { SmsMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { aliyunSmsApi } from '../providers/aliyun.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';

const KEY_ID = 'LTAI5tTestKeyId';
const KEY_SECRET = 'testSecret/with+chars=';
const adapter = createAliyunSmsAdapter();
let rx: Receiver;
// Characters that encodeURIComponent leaves alone but Alibaba's rule encodes: ! ' ( ) *
const sms = (to = '+8613800138000'): SmsMessage => ({
  channel: 'sms',
  messageId: 'delivery-01',
  to,
  content: { templateId: 'SMS_154950909', templateParams: { code: "12 34*~!'()", name: '张三' } },
});
const cfg = (): { accessKeyId: string; accessKeySecret: string; signName: string; endpoint: string; allowPrivateNetworks: string[] } => ({ ...LOOPBACK, accessKeyId: KEY_ID, accessKeySecret: KEY_SECRET, signName: '阿里云短信测试', endpoint: `${rx.baseUrl}/` });

beforeAll(async () => {
  rx = await startReceiver(aliyunSmsApi(KEY_ID, KEY_SECRET));
});
afterAll(async () => {
  await rx.close();
});

describe('aliyun sms adapter', () => {
  it('sends a signed SendSms request the endpoint accepts', async () => {
    const res = await adapter.send(sms(), cfg());
    expect(res.providerMessageId).toBe('900619746936498440^0');
    const form = new URLSearchParams(rx.requests.at(-1)!.body);
    expect(form.get('PhoneNumbers')).toBe('13800138000');
    expect(form.get('OutId')).toBe('delivery-01');
    expect(JSON.parse(form.get('TemplateParam')!)).toEqual({ code: "12 34*~!'()", name: '张三' });
    // Signatures must differ per request because of the nonce.
    await adapter.send(sms(), cfg());
    expect(new URLSearchParams(rx.requests.at(-1)!.body).get('Signature')).not.toBe(form.get('Signature'));
  });

  it('maps Alibaba error codes', async () => {
    expect((await expectDeliveryError(adapter.send(sms(), { ...cfg(), accessKeySecret: 'wrong' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('SignatureDoesNotMatch');
    await expectDeliveryError(adapter.send(sms(), { ...cfg(), accessKeyId: 'LTAIother' }), DeliveryErrorType.ProviderConfig, true);
    expect((await expectDeliveryError(adapter.send(sms('+86123'), cfg()), DeliveryErrorType.InvalidRecipient, true)).code).toBe('isv.MOBILE_NUMBER_ILLEGAL');
    rx.replyOnce({ status: 200, body: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1' } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.RateLimited, false);
    rx.replyOnce({ status: 400, body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.RateLimited, false);
    rx.replyOnce({ status: 200, body: { Code: 'isp.SYSTEM_ERROR', Message: 'isp.SYSTEM_ERROR' } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 200, body: { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '模版不合法' } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 200, body: { Code: 'isv.SMS_CONTENT_ILLEGAL', Message: '短信内容包含禁止发送内容' } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 503, body: { Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 500, body: 'gateway' });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(sms(), { ...cfg(), endpoint: `http://127.0.0.1:${await closedPort()}/` }), DeliveryErrorType.Network, false);
    // Refused for this provider only (Rejected, not Content), so failover may try the next one.
    expect((await expectDeliveryError(adapter.send({ ...sms(), content: { text: 'free text' } }, cfg()), DeliveryErrorType.Rejected, true)).code).toBe('ENOTEMPLATE');
  });
});
