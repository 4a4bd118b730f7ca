import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenericHttpSmsAdapter, type GenericHttpSmsConfig } from '../../channels/generic-http-sms.js';
import type { SmsMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, header, startReceiver, type Receiver } from '../providers/receiver.js';

const adapter = createGenericHttpSmsAdapter();
let rx: Receiver;
const text = 'Code "42" & 50% off\nline2';
const sms: SmsMessage = { channel: 'sms', messageId: 'm-9', to: '+4915112345678', content: { text, templateParams: { brand: 'Acme' } } };

beforeAll(async () => {
  // A gateway that documents: POST /api/sms?account=acme, header X-Api-Key, JSON {to, text, ref}.
  rx = await startReceiver((req) => {
    const url = new URL(req.url, 'http://x');
    if (header(req, 'x-api-key') !== 'key-1') return { status: 401, body: { error: 'bad key' } };
    if (req.method === 'GET') return { status: 200, body: { ok: true, id: `g-${url.searchParams.get('to')}` } };
    if (url.pathname !== '/api/sms' || url.searchParams.get('account') !== 'acme') return { status: 404 };
    if (header(req, 'content-type') === 'application/x-www-form-urlencoded') {
      const f = new URLSearchParams(req.body);
      return { status: 200, body: { ok: f.get('text') === text, data: { id: 'f-1' } } };
    }
    const body = JSON.parse(req.body) as { to?: string; text?: string; ref?: string };
    if (body.to !== sms.to || body.text !== text) return { status: 422, body: { error: 'bad body' } };
    return { status: 200, body: { ok: true, data: { id: `gw-${body.ref}` } } };
  });
});
afterAll(async () => {
  await rx.close();
});

const json = (): GenericHttpSmsConfig => ({
  url: `${rx.baseUrl}/api/sms?account=acme`,
  headers: { 'X-Api-Key': 'key-1' },
  bodyTemplate: '{"to":"{{to}}","text":"{{text}} ({{params.brand}})","ref":"{{messageId}}"}',
  messageIdPath: 'data.id',
  // The receiver is on loopback, which a gateway URL may reach only when allowlisted.
  allowPrivateNetworks: ['127.0.0.1/32'],
});

describe('generic http sms adapter', () => {
  it('fills a JSON template with escaped values', async () => {
    rx.replyOnce({ status: 200, body: { ok: true, data: { id: 'x' } } });
    await adapter.send(sms, json());
    expect(JSON.parse(rx.requests.at(-1)!.body)).toEqual({ to: sms.to, text: `${text} (Acme)`, ref: 'm-9' });
    const res = await adapter.send(sms, { ...json(), bodyTemplate: '{"to":"{{to}}","text":"{{text}}","ref":"{{messageId}}"}' });
    expect(res.providerMessageId).toBe('gw-m-9');
  });

  it('fills form bodies and URL query placeholders', async () => {
    const form = await adapter.send(sms, { ...json(), bodyEncoding: 'form', bodyTemplate: 'to={{to}}&text={{text}}', successBodyPattern: '"ok":true' });
    expect(form.providerMessageId).toBe('f-1');
    const get = await adapter.send(sms, { url: `${rx.baseUrl}/q?to={{to}}`, method: 'GET', headers: { 'X-Api-Key': 'key-1' }, messageIdPath: 'id', allowPrivateNetworks: ['127.0.0.1/32'] });
    expect(get.providerMessageId).toBe('g-+4915112345678');
  });

  it('maps failures', async () => {
    await expectDeliveryError(adapter.send(sms, { ...json(), headers: { 'X-Api-Key': 'nope' } }), DeliveryErrorType.ProviderConfig, true);
    await expectDeliveryError(adapter.send(sms, { ...json(), bodyTemplate: '{"to":"{{to}}"}' }), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 200, body: { ok: false } });
    await expectDeliveryError(adapter.send(sms, { ...json(), successBodyPattern: '"ok":true' }), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 429, headers: { 'retry-after': '9' } });
    expect((await expectDeliveryError(adapter.send(sms, json()), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(9000);
    rx.replyOnce({ status: 503 });
    await expectDeliveryError(adapter.send(sms, json()), DeliveryErrorType.Unavailable, false);
    await expectDeliveryError(adapter.send(sms, { ...json(), url: `http://127.0.0.1:${await closedPort()}/x` }), DeliveryErrorType.Network, false);
    await expectDeliveryError(adapter.send(sms, { ...json(), bodyTemplate: '{{unknown}}' }), DeliveryErrorType.Content, true);
    await expectDeliveryError(adapter.send(sms, { ...json(), headers: { 'X-Text': '{{text}}' } }), DeliveryErrorType.Content, true);
  });

  it('refuses a gateway URL in a private range unless it is allowlisted', async () => {
    const before = rx.requests.length;
    for (const url of [`${rx.baseUrl}/api/sms`, 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/x']) {
      const err = await expectDeliveryError(adapter.send(sms, { ...json(), url, allowPrivateNetworks: [] }), DeliveryErrorType.InvalidRecipient, true);
      expect(err.code).toBe('EOUTBOUND_REFUSED');
    }
    // A name resolving to loopback is refused as well (the check is on the resolved address).
    const byName = await expectDeliveryError(adapter.send(sms, { ...json(), url: `http://localhost:${rx.port}/api/sms`, allowPrivateNetworks: [] }), DeliveryErrorType.InvalidRecipient, true);
    expect(byName.message).toMatch(/localhost resolves to/);
    expect(rx.requests.length).toBe(before);
  });
});
