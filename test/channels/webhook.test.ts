import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookAdapter } from '../../channels/webhook.js';
import type { WebhookMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, startReceiver, type Receiver } from '../providers/receiver.js';
import { verifyHeraldSignature, webhookSubscriber } from '../providers/webhook.js';

const SECRET = 'whsec_test_4f1c2d';
// The receivers run on loopback, which webhooks refuse unless the tenant allows it.
const LOOPBACK = { allowPrivateNetworks: ['127.0.0.1/32'] };
const adapter = createWebhookAdapter();
let rx: Receiver;

function msg(to: string, data: unknown = { orderId: 'o-1', note: 'ünïcødé & "quotes"' }): WebhookMessage {
  return { channel: 'webhook', messageId: 'msg-01', to, content: { event: 'order.shipped', data } };
}

beforeAll(async () => {
  rx = await startReceiver(webhookSubscriber(SECRET));
});
afterAll(async () => {
  await rx.close();
  await adapter.close();
});

describe('webhook adapter', () => {
  it('posts a signed JSON body the subscriber can verify', async () => {
    const res = await adapter.send(msg(`${rx.baseUrl}/hooks/herald`), { ...LOOPBACK, secret: SECRET, headers: { 'x-api-key': 'k1' } });
    expect(res.providerMessageId).toBe('msg-01');
    const req = rx.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hooks/herald');
    expect(req.headers['x-api-key']).toBe('k1');
    expect(req.headers['x-herald-message-id']).toBe('msg-01');
    expect(verifyHeraldSignature(req, SECRET)).toBeUndefined();
    expect(JSON.parse(req.body)).toMatchObject({ id: 'msg-01', event: 'order.shipped', data: { orderId: 'o-1', note: 'ünïcødé & "quotes"' } });
  });

  it('is rejected by the subscriber when signed with another secret', async () => {
    const err = await expectDeliveryError(adapter.send(msg(`${rx.baseUrl}/x`), { ...LOOPBACK, secret: 'wrong' }), DeliveryErrorType.Rejected, true);
    expect(err.code).toBe('401');
  });

  it('does not follow redirects', async () => {
    const before = rx.requests.length;
    rx.replyOnce({ status: 307, headers: { location: `${rx.baseUrl}/elsewhere` } });
    const err = await expectDeliveryError(adapter.send(msg(`${rx.baseUrl}/moved`), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.Rejected, true);
    expect(err.message).toContain('redirect');
    expect(rx.requests.length).toBe(before + 1);
  });

  it('maps statuses to permanent and transient errors', async () => {
    const url = `${rx.baseUrl}/h`;
    rx.replyOnce({ status: 410 });
    await expectDeliveryError(adapter.send(msg(url), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.InvalidRecipient, true);
    rx.replyOnce({ status: 404 });
    await expectDeliveryError(adapter.send(msg(url), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.InvalidRecipient, true);
    rx.replyOnce({ status: 400, body: 'bad' });
    await expectDeliveryError(adapter.send(msg(url), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 429, headers: { 'retry-after': '7' } });
    const limited = await expectDeliveryError(adapter.send(msg(url), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.RateLimited, false);
    expect(limited.retryAfterMs).toBe(7000);
    const at = new Date(Date.now() + 30_000).toUTCString();
    rx.replyOnce({ status: 429, headers: { 'retry-after': at } });
    const dated = await expectDeliveryError(adapter.send(msg(url), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.RateLimited, false);
    expect(dated.retryAfterMs).toBeGreaterThan(25_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(30_000);
    rx.replyOnce({ status: 500 });
    await expectDeliveryError(adapter.send(msg(url), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 503 });
    await expectDeliveryError(adapter.send(msg(url), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.Unavailable, false);
  });

  it('maps connection refused and timeouts to Network', async () => {
    const port = await closedPort();
    const refused = await expectDeliveryError(adapter.send(msg(`http://127.0.0.1:${port}/h`), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.Network, false);
    expect(refused.code).toBe('ECONNREFUSED');
    const slow = await startReceiver(() => new Promise((r) => setTimeout(() => r({ status: 200 }), 2_000)));
    try {
      const timedOut = await expectDeliveryError(adapter.send(msg(`${slow.baseUrl}/h`), { ...LOOPBACK, secret: SECRET, timeoutMs: 200 }), DeliveryErrorType.Network, false);
      expect(timedOut.code).toBe('ETIMEDOUT');
    } finally {
      await slow.close();
    }
  });

  it('rejects a malformed endpoint and a missing secret without a request', async () => {
    const before = rx.requests.length;
    await expectDeliveryError(adapter.send(msg('not a url'), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(msg('ftp://example.com/x'), { ...LOOPBACK, secret: SECRET }), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(msg(`${rx.baseUrl}/h`), { ...LOOPBACK, secret: '' }), DeliveryErrorType.ProviderConfig, true);
    expect(rx.requests.length).toBe(before);
  });

  it('refuses private, loopback and link-local targets unless allowed, checking what DNS returns', async () => {
    for (const url of ['http://127.0.0.1:9/h', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/h', 'http://10.1.2.3/h', 'http://[::ffff:10.0.0.1]/h']) {
      const err = await expectDeliveryError(adapter.send(msg(url), { secret: SECRET }), DeliveryErrorType.InvalidRecipient, true);
      expect(err.code).toBe('EOUTBOUND_REFUSED');
    }
    // A name, not an address: the check runs on what the resolver returns (here /etc/hosts
    // maps localhost to loopback), at connect time, so the receiver never sees the request.
    const before = rx.requests.length;
    const viaDns = await expectDeliveryError(adapter.send(msg(`http://localhost:${rx.port}/h`), { secret: SECRET }), DeliveryErrorType.InvalidRecipient, true);
    expect(viaDns.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    expect(rx.requests.length).toBe(before);
    // Allowing one /32 does not allow its neighbours.
    await expectDeliveryError(adapter.send(msg('http://127.0.0.2:9/h'), { secret: SECRET, allowPrivateNetworks: ['127.0.0.1/32'] }), DeliveryErrorType.InvalidRecipient, true);
  });
});
