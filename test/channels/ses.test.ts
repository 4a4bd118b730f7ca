import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesAdapter, type SesConfig } from '../../channels/ses.js';
import type { EmailMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { configProblemLines, expectDeliveryError } from '../providers/assertions.js';
import { verifySigV4 } from '../providers/aws-sigv4.js';
import { closedPort, header, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';
import { sesApi, sesError } from '../providers/ses.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'eu-west-1';
const adapter = createSesAdapter();
const ses = sesApi({ accessKeyId: KEY, secretAccessKey: SECRET, region: REGION, verified: ['example.com'], configurationSets: ['transactional'] });
let api: Receiver;
let cfg: SesConfig;

const mail = (to = 'ada@example.org'): EmailMessage => ({
  channel: 'email',
  messageId: '<dlv_01HZ@herald.test>',
  to,
  content: { subject: 'Grüße, Ada — your receipt', html: '<p>Hello <b>Ada</b></p>', text: 'Hello Ada' },
  headers: { 'List-Unsubscribe': '<https://herald.test/unsubscribe/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
});

beforeAll(async () => {
  api = await startReceiver(ses);
  cfg = { ...LOOPBACK, region: REGION, accessKeyId: KEY, secretAccessKey: SECRET, from: 'Herald <noreply@example.com>', endpoint: api.baseUrl };
});
afterAll(async () => {
  await api.close();
  await adapter.close();
});

describe('ses adapter (SES v2 SendEmail through @aws-sdk/client-sesv2)', () => {
  it('sends Simple content signed with SigV4 and returns the MessageId', async () => {
    const res = await adapter.send(mail(), { ...cfg, configurationSetName: 'transactional' });
    const sent = ses.sent.at(-1)!;
    expect(res.providerMessageId).toBe(sent.messageId);
    const req = api.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v2/email/outbound-emails');
    expect(header(req, 'authorization')).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY}/\\d{8}/${REGION}/ses/aws4_request, SignedHeaders=[^,]*content-type[^,]*, Signature=[0-9a-f]{64}$`));
    expect(JSON.parse(req.body)).toEqual({
      FromEmailAddress: 'Herald <noreply@example.com>',
      Destination: { ToAddresses: ['ada@example.org'] },
      Content: {
        Simple: {
          Subject: { Data: 'Grüße, Ada — your receipt', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Hello Ada', Charset: 'UTF-8' }, Html: { Data: '<p>Hello <b>Ada</b></p>', Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: '<https://herald.test/unsubscribe/abc>' },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
      ConfigurationSetName: 'transactional',
    });
    // The server's check is not vacuous: the same request with one byte of the body changed fails it.
    const tampered = { ...req, raw: Buffer.from(req.body.replace('Ada', 'Bob')) };
    expect(verifySigV4(req, { secrets: { [KEY]: SECRET }, region: REGION, service: 'ses' }).ok).toBe(true);
    expect(verifySigV4(tampered, { secrets: { [KEY]: SECRET }, region: REGION, service: 'ses' })).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifySigV4(req, { secrets: { [KEY]: 'other-secret' }, region: REGION, service: 'ses' }).ok).toBe(false);
  });

  it('sends Raw MIME with the ledger Message-ID and the headers', async () => {
    const res = await adapter.send(mail(), { ...cfg, content: 'raw' });
    const sent = ses.sent.at(-1)!;
    expect(res.providerMessageId).toBe(sent.messageId);
    const parsed = await simpleParser(sent.raw!);
    expect(parsed.messageId).toBe('<dlv_01HZ@herald.test>');
    expect(parsed.subject).toBe('Grüße, Ada — your receipt');
    expect(parsed.text?.trim()).toBe('Hello Ada');
    expect(parsed.html).toContain('<b>Ada</b>');
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(JSON.parse(api.requests.at(-1)!.body).Destination).toEqual({ ToAddresses: ['ada@example.org'] });
  });

  it('maps SES errors: MessageRejected/BadRequest permanent, 429/5xx transient', async () => {
    // An unverified From is SES's own MessageRejected (400).
    expect((await expectDeliveryError(adapter.send(mail(), { ...cfg, from: 'x@unverified.example' }), DeliveryErrorType.Rejected, true)).code).toBe('MessageRejected');
    expect((await expectDeliveryError(adapter.send(mail(), { ...cfg, configurationSetName: 'nope' }), DeliveryErrorType.ProviderConfig, true)).code).toBe('NotFoundException');
    await expectDeliveryError(adapter.send(mail(), { ...cfg, secretAccessKey: 'wrong-secret' }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(mail(), { ...cfg, accessKeyId: 'AKIAUNKNOWNKEY000000' }), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce(sesError(400, 'BadRequestException', 'Missing final @domain'));
    expect((await expectDeliveryError(adapter.send(mail(), cfg), DeliveryErrorType.Rejected, true)).code).toBe('BadRequestException');
    api.replyOnce(sesError(400, 'AccountSuspendedException', 'suspended'));
    await expectDeliveryError(adapter.send(mail(), cfg), DeliveryErrorType.ProviderConfig, true);
    api.replyOnce(sesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.'));
    expect((await expectDeliveryError(adapter.send(mail(), cfg), DeliveryErrorType.RateLimited, false)).code).toBe('TooManyRequestsException');
    api.replyOnce(sesError(500, 'InternalFailure', 'internal error'));
    await expectDeliveryError(adapter.send(mail(), cfg), DeliveryErrorType.Unavailable, false);
    api.replyOnce({ status: 503, body: 'Service Unavailable' });
    await expectDeliveryError(adapter.send(mail(), cfg), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(mail(), { ...cfg, endpoint: `http://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false);
    const before = api.requests.length;
    await expectDeliveryError(adapter.send(mail('not-an-address'), cfg), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(mail(), { ...cfg, secretAccessKey: '' }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(mail(), { ...cfg, endpoint: 'ftp://x' }), DeliveryErrorType.ProviderConfig, true);
    expect(api.requests.length).toBe(before);
  });

  it('validates configs for PUT /v1/providers', () => {
    expect(configProblemLines(adapter, cfg)).toEqual([]);
    expect(configProblemLines(adapter, { ...cfg, secretAccessKey: undefined, region: 'mars' })).toEqual([expect.stringMatching(/^region: /), expect.stringMatching(/^secretAccessKey: /)]);
  });
});
