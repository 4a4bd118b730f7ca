// The outbound guard on URLs end users and tenants supply, through the whole stack: web push
// endpoints (refused at PUT /v1/users when not https or a literal private IP, and at connect
// time when a name resolves to one), robot / incoming-webhook URLs (a Slack webhook on
// loopback) and an API base URL in a provider config (Twilio's, on loopback). Refusals are permanent failures naming the guard, nothing ever connects to the
// receivers, and the tenant's allowlist is the only way through. Host names resolve through
// the DNS server this test runs (HERALD_DNS_SERVERS).
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../../testkit/dns-server.js';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { newSubscriber, pushService, type DeliveredPush, type TestSubscriber } from '../providers/push-service.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { SLACK_PATH, slackWebhook } from '../providers/slack.js';
import { twilioApi } from '../providers/twilio.js';
import { selfSignedCertificate } from '../providers/tls.js';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = publicKey.export({ format: 'jwk' });
const VAPID_PUBLIC = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]).toString('base64url');
const VAPID_PRIVATE = privateKey.export({ format: 'jwk' }).d ?? '';
const TWILIO = { sid: 'AC0123456789abcdef0123456789abcdef', token: 'twilio-auth-token-guard' };

describe('the outbound guard on web push endpoints and robot URLs', () => {
  let dns: TestDnsServer;
  let stack: TestStack;
  let slack: Receiver;
  let push: Receiver;
  let twilio: Receiver;
  const subscribers = new Map<string, TestSubscriber>();
  const pushes: DeliveredPush[] = [];
  const phone = newSubscriber();
  const tls = selfSignedCertificate();

  beforeAll(async () => {
    dns = await startDnsServer((name) => (name === 'push.internal.test' ? ['10.1.2.3'] : undefined));
    slack = await startReceiver(slackWebhook());
    twilio = await startReceiver(twilioApi(TWILIO.sid, TWILIO.token));
    push = await startReceiver(pushService({ origin: () => push.baseUrl, vapidPublicKey: VAPID_PUBLIC, subscribers, delivered: pushes }), { tls });
    subscribers.set('/push/phone', phone);
    stack = await startStack({ env: { HERALD_DNS_SERVERS: dns.address } });
    const put = (id: string, body: unknown) => stack.request('PUT', `/v1/providers/${id}`, body);
    expect((await put('team-slack', { channel: 'chat', kind: 'slack', config: { webhookUrl: `${slack.baseUrl}${SLACK_PATH}` } })).status).toBe(201);
    // An API's base URL in a provider config is the tenant's too.
    expect((await put('sms', { channel: 'sms', kind: 'twilio', config: { accountSid: TWILIO.sid, authToken: TWILIO.token, from: '+15005550006', apiBaseUrl: twilio.baseUrl } })).status).toBe(201);
    expect((await put('browser-push', { channel: 'push', kind: 'webpush', config: { vapidSubject: 'mailto:ops@herald.test', vapidPublicKey: VAPID_PUBLIC, vapidPrivateKey: VAPID_PRIVATE, ca: tls.cert } })).status).toBe(201);
    const tpl = await stack.request('PUT', '/v1/templates/alert', { chat: { markdown: 'Alert {{n}}' }, push: { title: 'Alert', body: 'Alert {{n}}' }, sms: { text: 'Alert {{n}}' } });
    expect(tpl.status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/alert/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    for (const r of [slack, push, twilio]) await r?.close();
    await dns?.close();
  });

  async function send(userId: string, channel: string, n: number) {
    const r = await stack.request('POST', '/v1/notifications', { template: 'alert', to: { userIds: [userId] }, channels: [channel], data: { n: String(n) } });
    expect(r.status).toBe(202);
    const done = await waitForFinal(stack, r.body.id);
    const [delivery] = (await stack.request('GET', `/v1/notifications/${r.body.id}/deliveries`)).body.items;
    return { status: done.status as string, delivery };
  }
  const subscription = (endpoint: string) => ({ name: 'x', identities: { webpush: [{ endpoint, keys: phone.keys }] } });

  it('PUT /v1/users refuses a web push endpoint that is not https or is a literal private IP (422 naming the field)', async () => {
    const http = await stack.request('PUT', '/v1/users/bad', subscription('http://push.example.com/p'));
    expect(http.status).toBe(422);
    expect(http.body.error).toMatchObject({ code: 'invalid_webpush_endpoint', details: [{ path: 'identities.webpush.0.endpoint' }] });
    expect(http.body.error.message).toContain('must be an https URL');
    for (const endpoint of [`${push.baseUrl}/push/phone`, 'https://10.0.0.5/p', 'https://[::1]:8443/p', 'https://169.254.169.254/latest']) {
      const r = await stack.request('PUT', '/v1/users/bad', subscription(endpoint));
      expect(r.status, endpoint).toBe(422);
      expect(r.body.error.details[0].path).toBe('identities.webpush.0.endpoint');
      expect(r.body.error.message).toContain('refused by the outbound guard');
    }
    expect((await stack.request('GET', '/v1/users/bad')).status).toBe(404);
    // A host name is accepted here and checked at connect time, after DNS.
    expect((await stack.request('PUT', '/v1/users/inside', subscription(`https://push.internal.test:${push.port}/push/phone`))).status).toBe(201);
  });

  it('a web push endpoint whose name resolves to 10.x fails for good, naming the guard, and nothing connects', async () => {
    const before = push.requests.length;
    const { status, delivery } = await send('inside', 'push', 1);
    expect(status).toBe('failed');
    expect(delivery).toMatchObject({ status: 'failed', errorCode: 'EOUTBOUND_REFUSED', attempts: 1 });
    expect(delivery.reason).toContain('refused to connect: push.internal.test resolves to 10.1.2.3 is a private, loopback or link-local address');
    expect(dns.count('push.internal.test')).toBeGreaterThanOrEqual(1);
    expect(push.requests.length).toBe(before);
    // Like a subscription the push service says is gone, a refused one is forgotten.
    const user = await stack.request('GET', '/v1/users/inside');
    expect(user.body.identities.webpush ?? []).toEqual([]);
  });

  it('an SMS provider whose API base URL is on loopback fails for good, naming the guard, and nothing connects', async () => {
    expect((await stack.request('PUT', '/v1/users/sam', { name: 'sam', phone: '+14155550100' })).status).toBe(201);
    const { status, delivery } = await send('sam', 'sms', 6);
    expect(status).toBe('failed');
    expect(delivery).toMatchObject({ status: 'failed', errorCode: 'EOUTBOUND_REFUSED', attempts: 1 });
    expect(delivery.reason).toContain('127.0.0.1 is a private, loopback or link-local address');
    expect(twilio.requests).toHaveLength(0);
  });

  it('a Slack incoming-webhook URL on loopback is refused until the tenant allowlists it', async () => {
    const refused = await send('inside', 'chat', 2);
    expect(refused.status).toBe('failed');
    expect(refused.delivery).toMatchObject({ status: 'failed', errorCode: 'EOUTBOUND_REFUSED', attempts: 1 });
    expect(refused.delivery.reason).toContain('127.0.0.1 is a private, loopback or link-local address');
    expect(slack.requests).toHaveLength(0);

    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const sent = await send('inside', 'chat', 3);
    expect(sent.status).toBe('completed');
    expect(slack.requests).toHaveLength(1);
    // The same allowlist lets the SMS provider's base URL through.
    const sms = await send('sam', 'sms', 7);
    expect(sms.status).toBe('completed');
    expect(twilio.requests).toHaveLength(1);
  });

  it('with loopback allowlisted, a loopback push endpoint is accepted and delivered; 10.x stays refused', async () => {
    expect((await stack.request('PUT', '/v1/users/ada', subscription(`${push.baseUrl}/push/phone`))).status).toBe(201);
    const sent = await send('ada', 'push', 4);
    expect(sent.status).toBe('completed');
    expect(pushes).toHaveLength(1);

    const before = push.requests.length;
    expect((await stack.request('PUT', '/v1/users/inside', subscription(`https://push.internal.test:${push.port}/push/phone`))).status).toBe(200);
    const still = await send('inside', 'push', 5);
    expect(still.delivery).toMatchObject({ status: 'failed', errorCode: 'EOUTBOUND_REFUSED' });
    expect(push.requests.length).toBe(before);
  });
});
