import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsAdapter, type SnsConfig } from '../../channels/sns.js';
import type { SmsMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { verifySigV4 } from '../providers/aws-sigv4.js';
import { closedPort, header, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { snsApi, snsError } from '../providers/sns.js';

const KEY = 'AKIAI44QH8DHBEXAMPLE';
const SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const REGION = 'us-east-1';
const adapter = createSnsAdapter();
const sns = snsApi({ accessKeyId: KEY, secretAccessKey: SECRET, region: REGION });
let api: Receiver;
let cfg: SnsConfig;
const sms = (to = '+14155550100', text = 'Your code is 123456 — valid 5 min & more'): SmsMessage => ({ channel: 'sms', messageId: 'm1', to, content: { text } });

beforeAll(async () => {
  api = await startReceiver(sns);
  cfg = { ...LOOPBACK, region: REGION, accessKeyId: KEY, secretAccessKey: SECRET, endpoint: api.baseUrl };
});
afterAll(async () => {
  await api.close();
  await adapter.close();
});

describe('the test-side SigV4 verifier', () => {
  // The two worked examples of AWS's "Signature Version 4" documentation (get-vanilla and IAM ListUsers).
  const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const vanilla = {
    method: 'GET',
    url: '/',
    raw: Buffer.alloc(0),
    headers: {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
  };
  const listUsers = {
    method: 'GET',
    url: '/?Action=ListUsers&Version=2010-05-08',
    raw: Buffer.alloc(0),
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      host: 'iam.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    },
  };

  it('accepts the documented examples and refuses any change to them', () => {
    const want = { secrets: { AKIDEXAMPLE: DOC_SECRET }, region: 'us-east-1', now: null };
    expect(verifySigV4(vanilla, { ...want, service: 'service' }).ok).toBe(true);
    expect(verifySigV4(listUsers, { ...want, service: 'iam' }).ok).toBe(true);
    expect(verifySigV4({ ...listUsers, url: '/?Action=ListUsers&Version=2010-05-09' }, { ...want, service: 'iam' }).ok).toBe(false);
    expect(verifySigV4({ ...vanilla, raw: Buffer.from('x') }, { ...want, service: 'service' }).ok).toBe(false);
    expect(verifySigV4(vanilla, { ...want, secrets: { AKIDEXAMPLE: 'other' }, service: 'service' }).ok).toBe(false);
    expect(verifySigV4(vanilla, { ...want, service: 'service', now: new Date() })).toMatchObject({ ok: false, code: 'RequestExpired' });
  });
});

describe('sns adapter (SNS Publish to a phone number through @aws-sdk/client-sns)', () => {
  it('publishes a Transactional SMS with the sender id over the Query protocol, signed with SigV4', async () => {
    const res = await adapter.send(sms(), { ...cfg, senderId: 'Herald' });
    const published = sns.published.at(-1)!;
    expect(res.providerMessageId).toBe(published.messageId);
    const req = api.requests.at(-1)!;
    expect(req.url).toBe('/');
    expect(header(req, 'content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(header(req, 'authorization')).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY}/\\d{8}/${REGION}/sns/aws4_request, `));
    const form = Object.fromEntries(new URLSearchParams(req.body));
    expect(form).toMatchObject({ Action: 'Publish', Version: '2010-03-31', PhoneNumber: '+14155550100', Message: 'Your code is 123456 — valid 5 min & more' });
    expect(published.attributes).toEqual({
      'AWS.SNS.SMS.SMSType': { dataType: 'String', stringValue: 'Transactional' },
      'AWS.SNS.SMS.SenderID': { dataType: 'String', stringValue: 'Herald' },
    });
    expect(verifySigV4({ ...req, raw: Buffer.from(req.body.replace('123456', '654321')) }, { secrets: { [KEY]: SECRET }, region: REGION, service: 'sns' }).ok).toBe(false);

    await adapter.send(sms(), { ...cfg, smsType: 'Promotional' });
    expect(sns.published.at(-1)!.attributes).toEqual({ 'AWS.SNS.SMS.SMSType': { dataType: 'String', stringValue: 'Promotional' } });
  });

  it('maps SNS errors', async () => {
    const bad = await expectDeliveryError(adapter.send(sms('+15550000000'), cfg), DeliveryErrorType.InvalidRecipient, true);
    expect(bad.message).toMatch(/PhoneNumber/);
    await expectDeliveryError(adapter.send(sms(), { ...cfg, secretAccessKey: 'wrong' }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(sms(), { ...cfg, accessKeyId: 'AKIAUNKNOWNKEY000000' }), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce(snsError(400, 'InvalidParameter', 'Invalid parameter: Message too long'));
    await expectDeliveryError(adapter.send(sms(), cfg), DeliveryErrorType.Rejected, true);
    api.replyOnce(snsError(429, 'Throttled', 'Rate exceeded'));
    await expectDeliveryError(adapter.send(sms(), cfg), DeliveryErrorType.RateLimited, false);
    api.replyOnce(snsError(500, 'InternalError', 'internal error'));
    await expectDeliveryError(adapter.send(sms(), cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(sms(), { ...cfg, endpoint: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);
    const before = api.requests.length;
    await expectDeliveryError(adapter.send(sms('0044 20 1234'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(sms(undefined, 'x'.repeat(1601)), cfg), DeliveryErrorType.Content, true);
    await expectDeliveryError(adapter.send(sms(), { ...cfg, region: '' }), DeliveryErrorType.ProviderConfig, true);
    expect(api.requests.length).toBe(before);
  });

  it('validates configs for PUT /v1/providers', () => {
    expect(configProblemLines(adapter, { ...cfg, senderId: 'Herald' })).toEqual([]);
    expect(configProblemLines(adapter, { ...cfg, senderId: 'far too long sender', smsType: 'Bulk' })).toEqual([expect.stringMatching(/^smsType: /), expect.stringMatching(/^senderId: /)]);
  });
});
