import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushMessage } from '../../channels/types.js';
import { createWebPushAdapter, SUBSCRIPTION_GONE, type WebPushConfig } from '../../channels/webpush.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { newSubscriber, pushService, type DeliveredPush, type TestSubscriber } from '../providers/push-service.js';
import { closedPort, startReceiver, type Receiver } from '../providers/receiver.js';
import { startDnsServer, type TestDnsServer } from '../../testkit/dns-server.js';
import { selfSignedCertificate, type TestCertificate } from '../providers/tls.js';

// VAPID keys made with node:crypto, in the raw encodings RFC 8292 uses.
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pubJwk = publicKey.export({ format: 'jwk' });
const VAPID_PUBLIC = Buffer.concat([Buffer.from([4]), Buffer.from(pubJwk.x!, 'base64url'), Buffer.from(pubJwk.y!, 'base64url')]).toString('base64url');
const VAPID_PRIVATE = privateKey.export({ format: 'jwk' }).d!;

const adapter = createWebPushAdapter();
const subscribers = new Map<string, TestSubscriber>();
const delivered: DeliveredPush[] = [];
let tls: TestCertificate;
let svc: Receiver;
let config: WebPushConfig;
let dns: TestDnsServer;
const alice = newSubscriber();

function push(path: string, sub: TestSubscriber, options?: PushMessage['options']): PushMessage {
  return { channel: 'push', messageId: 'delivery-123', to: { endpoint: `${svc.baseUrl}${path}`, keys: sub.keys }, content: { title: 'Hi', body: 'Your order shipped ✓', url: 'https://shop.example/o/1', data: { orderId: 'o1' } }, options };
}

beforeAll(async () => {
  tls = selfSignedCertificate();
  subscribers.set('/push/alice', alice);
  svc = await startReceiver(pushService({ origin: () => svc.baseUrl, vapidPublicKey: VAPID_PUBLIC, subscribers, delivered }), { tls });
  dns = await startDnsServer((name) => (name === 'push.internal.test' ? ['10.1.2.3'] : name === 'push.loopback.test' ? ['127.0.0.1'] : undefined));
  // The push service listens on loopback, which the outbound guard refuses unless allowlisted.
  config = { vapidSubject: 'mailto:ops@herald.example', vapidPublicKey: VAPID_PUBLIC, vapidPrivateKey: VAPID_PRIVATE, ca: tls.cert, allowPrivateNetworks: ['127.0.0.1/32'], dnsServers: [dns.address] };
});
afterAll(async () => {
  await adapter.close();
  await svc.close();
  await dns.close();
});

describe('webpush adapter', () => {
  it('delivers an encrypted payload the subscriber can decrypt, with a verified VAPID JWT', async () => {
    const res = await adapter.send(push('/push/alice', alice, { ttlSeconds: 600, urgency: 'high', collapseKey: 'order-o1' }), config);
    expect(res.providerMessageId).toBe(`${svc.baseUrl}/m/1`);
    const d = delivered.at(-1)!;
    expect(JSON.parse(d.plaintext)).toEqual({ id: 'delivery-123', title: 'Hi', body: 'Your order shipped ✓', url: 'https://shop.example/o/1', data: { orderId: 'o1' } });
    expect(d).toMatchObject({ ttl: '600', urgency: 'high', topic: 'order-o1' });
    expect(d.jwtClaims).toMatchObject({ aud: svc.baseUrl, sub: 'mailto:ops@herald.example' });
  });

  it('derives a valid Topic from the message id when no collapse key is given', async () => {
    await adapter.send(push('/push/alice', alice), config);
    const first = delivered.at(-1)!.topic;
    expect(first).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    await adapter.send(push('/push/alice', alice), config);
    expect(delivered.at(-1)!.topic).toBe(first);
  });

  it('fails to decrypt for the wrong subscriber keys', async () => {
    // Keys of another browser: the service cannot decrypt, so it answers 400.
    const mallory = newSubscriber();
    await expectDeliveryError(adapter.send(push('/push/alice', mallory), config), DeliveryErrorType.Rejected, true);
  });

  it('tells the caller to remove a gone subscription (404/410)', async () => {
    const gone = await expectDeliveryError(adapter.send(push('/push/unsubscribed', alice), config), DeliveryErrorType.InvalidRecipient, true);
    expect(gone.code).toBe(SUBSCRIPTION_GONE);
    svc.replyOnce({ status: 404 });
    expect((await expectDeliveryError(adapter.send(push('/push/alice', alice), config), DeliveryErrorType.InvalidRecipient, true)).code).toBe(SUBSCRIPTION_GONE);
  });

  it('maps VAPID rejection, throttling, outages and network errors', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }).d!;
    await expectDeliveryError(adapter.send(push('/push/alice', alice), { ...config, vapidPrivateKey: other }), DeliveryErrorType.ProviderConfig, true);
    svc.replyOnce({ status: 429, headers: { 'retry-after': '12' } });
    expect((await expectDeliveryError(adapter.send(push('/push/alice', alice), config), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(12_000);
    svc.replyOnce({ status: 503 });
    await expectDeliveryError(adapter.send(push('/push/alice', alice), config), DeliveryErrorType.Unavailable, false);
    svc.replyOnce({ status: 413 });
    await expectDeliveryError(adapter.send(push('/push/alice', alice), config), DeliveryErrorType.Content, true);
    const port = await closedPort();
    const refused = push('/push/alice', alice);
    refused.to = { endpoint: `https://127.0.0.1:${port}/push/alice`, keys: alice.keys };
    expect((await expectDeliveryError(adapter.send(refused, config), DeliveryErrorType.Network, false)).code).toBe('ECONNREFUSED');
    // Without trusting the test CA, the TLS handshake fails: a network-level error, not a rejection.
    await expectDeliveryError(adapter.send(push('/push/alice', alice), { ...config, ca: undefined }), DeliveryErrorType.Network, false);
  });

  it('rejects malformed subscriptions before any request', async () => {
    const before = svc.requests.length;
    const bad = push('/push/alice', alice);
    bad.to = { endpoint: `${svc.baseUrl}/push/alice`, keys: { p256dh: 'abc', auth: alice.keys.auth } };
    await expectDeliveryError(adapter.send(bad, config), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send({ ...bad, to: 'not json' }, config), DeliveryErrorType.InvalidRecipient, true);
    await expectDeliveryError(adapter.send(push('/push/alice', alice), { ...config, vapidSubject: 'ops' }), DeliveryErrorType.ProviderConfig, true);
    expect(svc.requests.length).toBe(before);
  });

  it('goes through the outbound guard: private and loopback endpoints are refused unless allowlisted, and nothing connects', async () => {
    const before = svc.requests.length;
    const port = new URL(svc.baseUrl).port;
    const at = (endpoint: string): PushMessage => ({ ...push('/push/alice', alice), to: { endpoint, keys: alice.keys } });
    const strict: WebPushConfig = { ...config, allowPrivateNetworks: [] };
    // A literal loopback IP, without the allowlist: refused before any request.
    const literal = await expectDeliveryError(adapter.send(at(`${svc.baseUrl}/push/alice`), strict), DeliveryErrorType.InvalidRecipient, true);
    expect(literal.code).toBe('EOUTBOUND_REFUSED');
    expect(literal.message).toContain('refused to connect: 127.0.0.1 is a private, loopback or link-local address');
    // A name that resolves to 10.x, allowlist or not (only loopback is allowed).
    const internal = await expectDeliveryError(adapter.send(at(`https://push.internal.test:${port}/push/alice`), config), DeliveryErrorType.InvalidRecipient, true);
    expect(internal.code).toBe('EOUTBOUND_REFUSED');
    expect(internal.message).toContain('push.internal.test resolves to 10.1.2.3 is a private, loopback or link-local address');
    // A name that resolves to loopback, without the allowlist.
    const loop = await expectDeliveryError(adapter.send(at(`https://push.loopback.test:${port}/push/alice`), strict), DeliveryErrorType.InvalidRecipient, true);
    expect(loop.message).toContain('push.loopback.test resolves to 127.0.0.1');
    expect(dns.count('push.internal.test')).toBeGreaterThanOrEqual(1);
    expect(dns.count('push.loopback.test')).toBeGreaterThanOrEqual(1);
    expect(svc.requests.length).toBe(before);
    // The allowlisted loopback address is reached.
    await adapter.send(at(`${svc.baseUrl}/push/alice`), config);
    expect(svc.requests.length).toBe(before + 1);
  });
});
