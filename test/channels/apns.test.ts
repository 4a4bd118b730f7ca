import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApnsAdapter, type ApnsConfig } from '../../channels/apns.js';
import type { PushMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { startApns, type ApnsServer } from '../providers/apns.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { closedPort, LOOPBACK } from '../providers/receiver.js';
import { selfSignedCertificate, type TestCertificate } from '../providers/tls.js';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const DEVICE = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
const GONE = 'b'.repeat(64);
let tls: TestCertificate;
let apns: ApnsServer;
let config: ApnsConfig;
const adapter = createApnsAdapter();

const push = (to: string = DEVICE, options: PushMessage['options'] = { ttlSeconds: 3600, collapseKey: 'order-1' }): PushMessage => ({
  channel: 'push',
  messageId: 'delivery-77',
  to,
  content: { title: 'Shipped', body: 'Order 1 is on its way', data: { orderId: '1' } },
  options,
});

beforeAll(async () => {
  tls = selfSignedCertificate();
  apns = await startApns({ tls, teamId: 'TEAM123456', keyId: 'KEY1234567', publicKeyPem: publicKey, topic: 'com.example.shop' });
  apns.unregistered.add(GONE);
  config = { ...LOOPBACK, teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey, topic: 'com.example.shop', apiBaseUrl: apns.baseUrl, ca: tls.cert };
});
afterAll(async () => {
  await adapter.close();
  await apns.close();
});

describe('apns adapter', () => {
  it('sends over one HTTP/2 session with a cached ES256 provider token and the documented headers', async () => {
    const res = await adapter.send(push(), config);
    await adapter.send(push(), config);
    await adapter.send(push(DEVICE, { urgency: 'low' }), config);
    expect(res.providerMessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(apns.sessions).toBe(1);
    expect(new Set(apns.requests.map((r) => r.jwt)).size).toBe(1);
    const [first, , low] = apns.requests;
    const now = Math.floor(Date.now() / 1000);
    expect(first!.headers).toMatchObject({ ':method': 'POST', ':path': `/3/device/${DEVICE}`, 'apns-topic': 'com.example.shop', 'apns-push-type': 'alert', 'apns-priority': '10', 'apns-collapse-id': 'order-1' });
    expect(Number(first!.headers['apns-expiration'])).toBeGreaterThan(now + 3500);
    expect(first!.body).toEqual({ aps: { alert: { title: 'Shipped', body: 'Order 1 is on its way' }, sound: 'default' }, orderId: '1', heraldMessageId: 'delivery-77' });
    expect(low!.headers).toMatchObject({ 'apns-priority': '5', 'apns-expiration': '0' });
  });

  it('renews the provider token when APNs says it expired', async () => {
    const before = new Set(apns.requests.map((r) => r.jwt));
    apns.expireTokensIssuedBefore(Math.floor(Date.now() / 1000) + 1);
    await new Promise((r) => setTimeout(r, 1100));
    await adapter.send(push(), config);
    const last = apns.requests.at(-1)!;
    expect(before.has(last.jwt)).toBe(false);
    apns.expireTokensIssuedBefore(0);
  });

  it('maps 410 Unregistered and BadDeviceToken to InvalidRecipient', async () => {
    expect((await expectDeliveryError(adapter.send(push(GONE), config), DeliveryErrorType.InvalidRecipient, true)).code).toBe('Unregistered');
    apns.replyOnce(400, 'BadDeviceToken');
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(push(), { ...config, topic: 'com.other.app' }), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(push('not-hex'), config), DeliveryErrorType.InvalidRecipient, true);
  });

  it('maps provider-token, throttling and server errors', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    expect((await expectDeliveryError(adapter.send(push(), { ...config, privateKey: other }), DeliveryErrorType.ProviderConfig, true)).code).toBe('InvalidProviderToken');
    await expectDeliveryError(adapter.send(push(), { ...config, privateKey: 'garbage' }), DeliveryErrorType.ProviderConfig, true);
    apns.replyOnce(429, 'TooManyRequests', { 'retry-after': '6' });
    expect((await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(6000);
    apns.replyOnce(500, 'InternalServerError');
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.Unavailable, false);
    apns.replyOnce(503, 'ServiceUnavailable');
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.Unavailable, false);
    apns.replyOnce(400, 'BadExpirationDate');
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.Rejected, true);
    apns.replyOnce(413, 'PayloadTooLarge');
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.Content, true);
  });

  it('maps connection refused and untrusted certificates to Network', async () => {
    const other = createApnsAdapter();
    try {
      expect((await expectDeliveryError(other.send(push(), { ...config, apiBaseUrl: `https://127.0.0.1:${await closedPort()}` }), DeliveryErrorType.Network, false)).code).toBe('ECONNREFUSED');
      await expectDeliveryError(other.send(push(), { ...config, ca: undefined }), DeliveryErrorType.Network, false);
    } finally {
      await other.close();
    }
  });
});
