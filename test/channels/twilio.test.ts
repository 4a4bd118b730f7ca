import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioAdapter, validateTwilioSignature } from '../../channels/twilio.js';
import type { SmsMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, header, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { twilioApi } from '../providers/twilio.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'auth-token-0123456789';
const adapter = createTwilioAdapter();
let api: Receiver;
let receipts: Receiver;
const sms = (to = '+14155550100'): SmsMessage => ({ channel: 'sms', messageId: 'm1', to, content: { text: 'Your code is 123456 — valid 5 min & more' } });

beforeAll(async () => {
  api = await startReceiver(twilioApi(SID, TOKEN));
  receipts = await startReceiver(() => ({ status: 204 }));
});
afterAll(async () => {
  await api.close();
  await receipts.close();
});

describe('twilio adapter', () => {
  it('creates a message with Basic auth and a StatusCallback, and the signed receipt validates', async () => {
    const callback = `${receipts.baseUrl}/v1/receipts/twilio?tenant=t1`;
    const res = await adapter.send(sms(), { ...LOOPBACK, accountSid: SID, authToken: TOKEN, from: '+15005550006', statusCallbackUrl: callback, apiBaseUrl: api.baseUrl });
    expect(res.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const form = new URLSearchParams(api.requests.at(-1)!.body);
    expect(Object.fromEntries(form)).toEqual({ To: '+14155550100', Body: 'Your code is 123456 — valid 5 min & more', From: '+15005550006', StatusCallback: callback });

    await expect.poll(() => receipts.requests.length).toBe(1);
    const receipt = receipts.requests[0]!;
    const params = Object.fromEntries(new URLSearchParams(receipt.body));
    expect(params.MessageSid).toBe(res.providerMessageId);
    expect(validateTwilioSignature(TOKEN, header(receipt, 'x-twilio-signature'), callback, params)).toBe(true);
    expect(validateTwilioSignature(TOKEN, header(receipt, 'x-twilio-signature'), callback, { ...params, MessageStatus: 'failed' })).toBe(false);
    expect(validateTwilioSignature('other-token', header(receipt, 'x-twilio-signature'), callback, params)).toBe(false);
  });

  it('validates the example signature from Twilio documentation', () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(validateTwilioSignature('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params)).toBe(true);
    expect(validateTwilioSignature('12345', undefined, url, params)).toBe(false);
  });

  it('maps Twilio errors', async () => {
    const cfg = { ...LOOPBACK, accountSid: SID, authToken: TOKEN, from: '+15005550006', apiBaseUrl: api.baseUrl };
    expect((await expectDeliveryError(adapter.send(sms('+15005550001'), cfg), DeliveryErrorType.InvalidRecipient, true)).code).toBe('21211');
    await expectDeliveryError(adapter.send(sms(), { ...cfg, authToken: 'wrong' }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(sms(), { ...cfg, accountSid: 'ACnope' }), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce({ status: 400, body: { code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.', status: 400 } });
    await expectDeliveryError(adapter.send(sms(), cfg), DeliveryErrorType.Rejected, true);
    api.replyOnce({ status: 429, headers: { 'retry-after': '4' }, body: { code: 20429, message: 'Too Many Requests', status: 429 } });
    expect((await expectDeliveryError(adapter.send(sms(), cfg), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(4000);
    api.replyOnce({ status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } });
    await expectDeliveryError(adapter.send(sms(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 503 });
    await expectDeliveryError(adapter.send(sms(), cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(sms(), { ...cfg, apiBaseUrl: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);
    const before = api.requests.length;
    await expectDeliveryError(adapter.send(sms('0044 20 1234'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(sms(), { ...cfg, from: undefined }), DeliveryErrorType.ProviderConfig, true);
    expect(api.requests.length).toBe(before);
  });
});
