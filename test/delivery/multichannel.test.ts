// One notification on every channel, through the real workflow and the real adapters, into
// local receivers that check each provider's wire format and signature; then receipts,
// the live inbox stream, recall, failover between SMS providers and pruning of a gone
// push subscription.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSubscriber, pushService, type DeliveredPush, type TestSubscriber } from '../providers/push-service.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { SLACK_PATH, slackWebhook } from '../providers/slack.js';
import { selfSignedCertificate } from '../providers/tls.js';
import { twilioApi, twilioSignatureFor } from '../providers/twilio.js';
import { verifyHeraldSignature, webhookSubscriber } from '../providers/webhook.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';
import { readSse, type SseEvent } from '../../testkit/sse.js';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = publicKey.export({ format: 'jwk' });
const VAPID_PUBLIC = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]).toString('base64url');
const VAPID_PRIVATE = privateKey.export({ format: 'jwk' }).d ?? '';
const TWILIO = { sid: 'AC0123456789abcdef0123456789abcdef', token: 'twilio-auth-token-1' };
const HOOK_SECRET = 'whsec_multichannel';

describe('every channel end to end', () => {
  let stack: TestStack;
  let slack: Receiver;
  let twilioDown: Receiver;
  let twilio: Receiver;
  let hook: Receiver;
  let push: Receiver;
  const subscribers = new Map<string, TestSubscriber>();
  const pushes: DeliveredPush[] = [];
  const phone = newSubscriber();
  const laptop = newSubscriber();
  const tls = selfSignedCertificate();

  beforeAll(async () => {
    stack = await startStack();
    slack = await startReceiver(slackWebhook());
    twilio = await startReceiver(twilioApi(TWILIO.sid, TWILIO.token));
    twilioDown = await startReceiver(() => ({ status: 503, body: { code: 20500, message: 'Service unavailable', status: 503 } }));
    hook = await startReceiver(webhookSubscriber(HOOK_SECRET));
    push = await startReceiver(pushService({ origin: () => push.baseUrl, vapidPublicKey: VAPID_PUBLIC, subscribers, delivered: pushes }), { tls });
    subscribers.set('/push/phone', phone);
    subscribers.set('/push/laptop', laptop);

    // The Slack webhook and the push service listen on loopback: every tenant-chosen URL goes
    // through the outbound guard, so the tenant allowlists it (the webhook test below takes it away).
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    await seedEmail(stack, { userId: 'ada', email: 'ada@example.com' });
    const put = (id: string, body: unknown) => stack.request('PUT', `/v1/providers/${id}`, body);
    const sms1 = await put('twilio-eu', { channel: 'sms', kind: 'twilio', order: 0, config: { accountSid: TWILIO.sid, authToken: TWILIO.token, from: '+15005550006', apiBaseUrl: twilioDown.baseUrl } });
    expect(sms1.status).toBe(201);
    await put('twilio-us', { channel: 'sms', kind: 'twilio', order: 1, config: { accountSid: TWILIO.sid, authToken: TWILIO.token, from: '+15005550006', apiBaseUrl: twilio.baseUrl } });
    await put('team-slack', { channel: 'chat', kind: 'slack', config: { webhookUrl: `${slack.baseUrl}${SLACK_PATH}` } });
    await put('browser-push', { channel: 'push', kind: 'webpush', config: { vapidSubject: 'mailto:ops@herald.test', vapidPublicKey: VAPID_PUBLIC, vapidPrivateKey: VAPID_PRIVATE, ca: tls.cert } });
    await put('hooks', { channel: 'webhook', kind: 'webhook', config: { secret: HOOK_SECRET } });

    const user = await stack.request('PUT', '/v1/users/ada', {
      name: 'Ada',
      email: 'ada@example.com',
      phone: '+8613800138000',
      identities: {
        webpush: [
          { endpoint: `${push.baseUrl}/push/phone`, keys: phone.keys },
          { endpoint: `${push.baseUrl}/push/gone`, keys: laptop.keys },
        ],
        webhook: `${hook.baseUrl}/hooks/ada`,
      },
    });
    expect(user.status).toBeLessThan(300);
    const tpl = await stack.request('PUT', '/v1/templates/order-shipped', {
      email: { subject: 'Order {{order}} shipped', text: 'Order {{order}} is on its way.' },
      sms: { text: 'Order {{order}} shipped.' },
      chat: { title: 'Order shipped', markdown: 'Order **{{order}}** shipped to *{{name}}*.' },
      push: { title: 'Shipped', body: 'Order {{order}} is on its way', url: 'https://shop.test/o/{{order}}' },
      inapp: { title: 'Order {{order}} shipped', body: 'Track it in your account.' },
      webhook: { body: { event: 'order.shipped', order: '{{order}}' } },
    });
    expect(tpl.status).toBe(201);
    expect((await stack.request('POST', '/v1/templates/order-shipped/publish')).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    for (const r of [slack, twilio, twilioDown, hook, push]) await r?.close();
  });

  it('provider reads never return secrets', async () => {
    const list = await stack.request('GET', '/v1/providers');
    const text = JSON.stringify(list.body);
    for (const secret of [TWILIO.token, HOOK_SECRET, VAPID_PRIVATE, SLACK_PATH]) expect(text).not.toContain(secret);
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual(['team-slack', 'browser-push', 'twilio-eu', 'twilio-us', 'hooks']);
  });

  it('delivers on email, sms, chat, push and in-app; the inbox streams it live', async () => {
    const events: SseEvent[] = [];
    const abort = new AbortController();
    const streaming = readSse(`${stack.api.url}/v1/inbox/ada/stream`, { authorization: `Bearer ${(await import('../../testkit/stack.js')).ADMIN_KEY}` }, events, abort.signal);
    await eventually(async () => (events.some((e) => e.event === 'ready') ? true : undefined));

    // Webhooks have a test of their own below (without the tenant's allowlist, loopback is refused).
    const channels = ['email', 'sms', 'chat', 'push', 'inapp'];
    const res = await stack.request('POST', '/v1/notifications', { template: 'order-shipped', to: { userIds: ['ada'] }, channels, data: { order: 'A-17', name: 'Ada' }, priority: 'high' });
    expect(res.status).toBe(202);
    const done = await waitForFinal(stack, res.body.id);
    expect(done.status).toBe('completed');
    // The SMS receipt may already have moved one row from sent to delivered.
    expect(done.counts).toMatchObject({ total: 5, failed: 0, suppressed: 0 });
    expect(done.counts.sent + done.counts.delivered).toBe(5);
    const rows = (await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`)).body.items as Array<Record<string, any>>;
    const byChannel = Object.fromEntries(rows.map((r) => [r.channel, r]));

    // SMS failed over from the provider answering 503 to the next one in order.
    expect(byChannel.sms).toMatchObject({ provider: 'twilio-us', address: '+8613800138000' });
    expect(twilioDown.requests).toHaveLength(1);
    expect(new URLSearchParams(twilio.requests[0]?.body).get('Body')).toBe('Order A-17 shipped.');
    expect(new URLSearchParams(twilio.requests[0]?.body).get('StatusCallback')).toBe(`${stack.config.publicUrl}/v1/receipts/twilio-us`);

    expect(byChannel.chat).toMatchObject({ status: 'sent', provider: 'team-slack' });
    expect(JSON.parse(slack.requests[0]?.body ?? '{}').text).toContain('*A-17*');

    // Push reached the live subscription; the gone one (404 at the push service) was forgotten.
    expect(byChannel.push).toMatchObject({ status: 'sent', provider: 'browser-push' });
    expect(pushes.map((p) => JSON.parse(p.plaintext).title)).toEqual(['Shipped']);
    const ada = await stack.request('GET', '/v1/users/ada');
    expect(ada.body.identities.webpush.map((s: { endpoint: string }) => s.endpoint)).toEqual([`${push.baseUrl}/push/phone`]);

    expect(byChannel.email).toMatchObject({ status: 'sent', provider: 'smtp-default' });
    // RFC 8058 one-click unsubscribe on email of an opt-out-able category.
    const mail = stack.smtp.mails().find((m) => m.subject === 'Order A-17 shipped');
    expect(mail?.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/[^>]+>/m); // (header lines may fold)
    expect(mail?.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(byChannel.inapp).toMatchObject({ status: 'sent', provider: 'inbox' });

    const live = await eventually(async () => events.find((e) => e.event === 'message'));
    expect(live.data.message).toMatchObject({ id: byChannel.inapp.id, title: 'Order A-17 shipped', readAt: null, seenAt: null, archivedAt: null });
    const inbox = await stack.request('GET', '/v1/inbox/ada');
    expect(inbox.body).toMatchObject({ unread: 1, items: [{ id: byChannel.inapp.id }] });
    expect((await stack.request('POST', `/v1/inbox/ada/${byChannel.inapp.id}/read`)).status).toBe(204);
    await eventually(async () => events.find((e) => e.event === 'read'));
    expect((await stack.request('GET', '/v1/inbox/ada')).body.unread).toBe(0);

    // A provider receipt moves the SMS to delivered (the fake Twilio posts a signed one).
    await eventually(async () => {
      const r = (await stack.request('GET', `/v1/notifications/${res.body.id}/deliveries`)).body.items.find((d: { channel: string }) => d.channel === 'sms');
      return r.status === 'delivered' ? r : undefined;
    });

    // Recall takes the in-app message back, live.
    const recall = await stack.request('POST', `/v1/notifications/${res.body.id}/recall`);
    expect(recall.status).toBe(200);
    expect(recall.body.recalled).toBe(1);
    expect(recall.body.notRecallable.map((x: { channel: string }) => x.channel).sort()).toEqual(['chat', 'email', 'push', 'sms']);
    await eventually(async () => events.find((e) => e.event === 'deleted'));
    expect((await stack.request('GET', '/v1/inbox/ada')).body.items).toEqual([]);
    expect((await stack.request('GET', `/v1/notifications/${res.body.id}`)).body.counts.recalled).toBe(1);
    abort.abort();
    await streaming;
  });

  it('a webhook to a loopback address is refused until the tenant allowlists it', async () => {
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: [] })).status).toBe(200);
    const before = hook.requests.length;
    const first = await stack.request('POST', '/v1/notifications', { template: 'order-shipped', to: { userIds: ['ada'] }, channels: ['webhook'], data: { order: 'B-1', name: 'Ada' } });
    const refused = await waitForFinal(stack, first.body.id);
    expect(refused.status).toBe('failed');
    const [row] = (await stack.request('GET', `/v1/notifications/${first.body.id}/deliveries`)).body.items;
    expect(row).toMatchObject({ status: 'failed', errorCode: 'EOUTBOUND_REFUSED', attempts: 1 });
    expect(hook.requests.length).toBe(before);

    const patch = await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] });
    expect(patch.status).toBe(200);
    const second = await stack.request('POST', '/v1/notifications', { template: 'order-shipped', to: { userIds: ['ada'] }, channels: ['webhook'], data: { order: 'B-2', name: 'Ada' } });
    expect((await waitForFinal(stack, second.body.id)).status).toBe('completed');
    const req = hook.requests.at(-1);
    expect(req && verifyHeraldSignature(req, HOOK_SECRET)).toBeUndefined();
    expect(JSON.parse(req?.body ?? '{}')).toMatchObject({ event: 'order-shipped', data: { event: 'order.shipped', order: 'B-2' } });
  });

  it('refuses a receipt whose signature does not verify', async () => {
    const url = `${stack.config.publicUrl}/v1/receipts/twilio-us`;
    const params = { MessageSid: 'SMforged', MessageStatus: 'delivered' };
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignatureFor('wrong-token', url, params) }, body: new URLSearchParams(params).toString() });
    expect(forged.status).toBe(403);
    const unknown = await fetch(`${stack.config.publicUrl}/v1/receipts/nope`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    expect(unknown.status).toBe(404);
  });
});
