import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTencentSmsAdapter } from '../../channels/tencent-sms.js';
import type { SmsMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { tencentSmsApi } from '../providers/tencent.js';

const SECRET_ID = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE';
const SECRET_KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
const APP_ID = '1400006666';
const adapter = createTencentSmsAdapter();
let rx: Receiver;
const sms = (to = '+8613711112222'): SmsMessage => ({ channel: 'sms', messageId: 'd-7', to, content: { templateId: '449739', templateParams: { '2': '5', '1': '1234' } } });
const cfg = () => ({ ...LOOPBACK, secretId: SECRET_ID, secretKey: SECRET_KEY, sdkAppId: APP_ID, signName: '腾讯云', endpoint: rx.baseUrl });

beforeAll(async () => {
  rx = await startReceiver(tencentSmsApi(SECRET_ID, SECRET_KEY, APP_ID));
});
afterAll(async () => {
  await rx.close();
});

describe('tencent sms adapter', () => {
  it('sends SendSms with a TC3-HMAC-SHA256 signature the API verifies', async () => {
    const res = await adapter.send(sms(), cfg());
    expect(res.providerMessageId).toMatch(/^5000:/);
    const req = rx.requests.at(-1)!;
    expect(req.headers['x-tc-region']).toBe('ap-guangzhou');
    expect(JSON.parse(req.body)).toEqual({ PhoneNumberSet: ['+8613711112222'], SmsSdkAppId: APP_ID, SignName: '腾讯云', TemplateId: '449739', TemplateParamSet: ['1234', '5'], SessionContext: 'd-7' });
  });

  it('maps Response.Error and SendStatusSet codes', async () => {
    expect((await expectDeliveryError(adapter.send(sms(), { ...cfg(), secretKey: 'wrong' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('AuthFailure.SignatureFailure');
    await expectDeliveryError(adapter.send(sms(), { ...cfg(), sdkAppId: '1' }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(sms('12'), cfg()), DeliveryErrorType.InvalidRecipient, true);
    const limited = { Response: { SendStatusSet: [{ Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Message: 'limit', SerialNo: '' }], RequestId: 'r' } };
    rx.replyOnce({ status: 200, body: limited });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.RateLimited, false);
    rx.replyOnce({ status: 200, body: { Response: { Error: { Code: 'RequestLimitExceeded', Message: 'too many' }, RequestId: 'r' } } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.RateLimited, false);
    rx.replyOnce({ status: 200, body: { Response: { Error: { Code: 'InternalError.Timeout', Message: 'timeout' }, RequestId: 'r' } } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 200, body: { Response: { SendStatusSet: [{ Code: 'FailedOperation.ContainSensitiveWord', Message: 'sensitive' }], RequestId: 'r' } } });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 502, body: 'bad gateway' });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 400, body: 'bad' });
    await expectDeliveryError(adapter.send(sms(), cfg()), DeliveryErrorType.Rejected, true);
    await expectDeliveryError(adapter.send(sms(), { ...cfg(), endpoint: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);
    // Refused for this provider only (Rejected, not Content), so failover may try the next one.
    expect((await expectDeliveryError(adapter.send({ ...sms(), content: { text: 'free text' } }, cfg()), DeliveryErrorType.Rejected, true)).code).toBe('ENOTEMPLATE');
  });

  it("sends a template's own signature and its parameters as an ordered list", async () => {
    await adapter.send({ ...sms(), content: { templateId: '449739', signName: 'Herald', templateParams: ['9876', '10'] } }, cfg());
    expect(JSON.parse(rx.requests.at(-1)!.body)).toMatchObject({ SignName: 'Herald', TemplateParamSet: ['9876', '10'] });
  });
});
