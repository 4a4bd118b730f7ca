// SES feedback over Amazon SNS through the whole stack: a real send through the workflow to a
// local SES endpoint (SigV4 checked), then SNS messages signed as SNS signs them (SHA1withRSA
// or SHA256withRSA with a locally issued signing certificate, served over HTTPS from a host the
// configured pattern allows, trusted through HERALD_SNS_CA_FILE) posted to
// /v1/receipts/{providerId}/sns/{token}: the subscription is confirmed at its SubscribeURL, and
// Delivery / Bounce / Complaint move the delivery, record the event, suppress the address and
// show in the analytics report.
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringToSign, type SnsMessage } from '../../channels/sns-messages.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { sesApi } from '../providers/ses.js';
import { selfSignedCertificate } from '../providers/tls.js';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'eu-west-1';
const TOKEN = 'ses-sns-token-0123456789';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-feedback';
const FINAL = new Set(['completed', 'partially_failed', 'failed']);

/** A message of one type before SNS adds its ids, time and signature. */
type Unsigned = SnsMessage extends infer M ? (M extends SnsMessage ? Omit<M, 'Signature' | 'SignatureVersion' | 'SigningCertURL' | 'MessageId' | 'Timestamp' | 'TopicArn'> : never) : never;

/** An RSA signing key and its certificate, as SNS's SigningCertURL serves one. */
function signingCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sns-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=sns.amazonaws.com'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SES notifications over SNS', () => {
  let stack: TestStack;
  let snsHost: Receiver;
  let sesRx: Receiver;
  /** A tenant's webhook endpoint subscribed to complaints, verifying with standardwebhooks. */
  let hooks: WebhookReceiver;
  const ses = sesApi({ accessKeyId: KEY, secretAccessKey: SECRET, region: REGION, verified: ['example.com'] });
  const signer = signingCertificate();
  const tls = selfSignedCertificate();
  const caDir = mkdtempSync(join(tmpdir(), 'herald-sns-ca-'));
  let request: (method: string, path: string, body?: unknown) => ReturnType<TestStack['request']>;
  let seq = 0;

  function signed(fields: Unsigned, version: '1' | '2' = '1', certUrl = `${snsHost.baseUrl}/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem`): SnsMessage {
    const m = { ...fields, MessageId: `sns-${++seq}`, TopicArn: TOPIC, Timestamp: new Date().toISOString(), SignatureVersion: version, SigningCertURL: certUrl, Signature: '' } as SnsMessage;
    m.Signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(stringToSign(m)).sign(signer.key, 'base64');
    return m;
  }

  const post = (m: unknown, token = TOKEN, providerId = 'ses-main') =>
    fetch(`${stack.config.publicUrl}/v1/receipts/${providerId}/sns/${token}`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': String((m as SnsMessage).Type) }, body: JSON.stringify(m) });

  const notification = (sesEvent: object, version: '1' | '2' = '2') => signed({ Type: 'Notification', Message: JSON.stringify(sesEvent) }, version);

  async function sentDelivery(userId: string): Promise<{ id: string; delivery: any; messageId: string }> {
    const res = await request('POST', '/v1/notifications', { template: 'hello', to: { userIds: [userId] } });
    expect(res.status).toBe(202);
    await eventually(async () => FINAL.has((await request('GET', `/v1/notifications/${res.body.id}`)).body?.status) || undefined);
    const delivery = (await request('GET', `/v1/notifications/${res.body.id}/deliveries`)).body.items[0];
    expect(delivery).toMatchObject({ provider: 'ses-main', status: 'sent' });
    const row = await stack.db.selectFrom('deliveries').select('provider_message_id').where('id', '=', delivery.id).executeTakeFirstOrThrow();
    // The id SNS names the message by is the MessageId SES answered the send with.
    expect(ses.sent.map((s) => s.messageId)).toContain(row.provider_message_id);
    return { id: res.body.id, delivery, messageId: row.provider_message_id as string };
  }

  const deliveryRow = (id: string) => stack.db.selectFrom('deliveries').select(['status', 'reason', 'error_code']).where('id', '=', id).executeTakeFirstOrThrow();
  const events = async (id: string) => (await request('GET', `/v1/notifications/${id}/events`)).body.items as { event: string; reason: string | null }[];

  beforeAll(async () => {
    const caFile = join(caDir, 'ca.pem');
    writeFileSync(caFile, tls.cert);
    snsHost = await startReceiver((req) => (req.url.endsWith('.pem') ? { status: 200, body: signer.cert } : { status: 200, body: '<ConfirmSubscriptionResponse/>' }), { tls });
    sesRx = await startReceiver(ses);
    stack = await startStack({ env: { HERALD_SNS_HOST_PATTERN: '^127\\.0\\.0\\.1$', HERALD_SNS_CA_FILE: caFile, HERALD_SNS_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32' } });
    const created = await stack.request('POST', '/v1/tenants', { id: 'ses-sns', name: 'SES over SNS' });
    const key = created.body.adminKey.key as string;
    request = (method, path, body) => stack.request(method, path, body, { key });
    expect((await request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const provider = { channel: 'email', kind: 'ses', config: { region: REGION, accessKeyId: KEY, secretAccessKey: SECRET, from: 'Herald <noreply@example.com>', endpoint: sesRx.baseUrl, receiptToken: TOKEN } };
    expect((await request('PUT', '/v1/providers/ses-main', provider)).status).toBe(201);
    expect((await request('PUT', '/v1/templates/hello', { email: { subject: 'Hello', text: 'Hello {{recipient.name}}' } })).status).toBeLessThan(300);
    expect((await request('POST', '/v1/templates/hello/publish')).status).toBe(201);
    for (const u of ['ada', 'bob', 'cyd', 'dee']) expect((await request('PUT', `/v1/users/${u}`, { name: u, email: `${u}@example.org` })).status).toBeLessThan(300);
    hooks = await startWebhookReceiver();
    const endpoint = await request('POST', '/v1/webhooks', { url: hooks.url, eventTypes: ['delivery.complained'] });
    expect(endpoint.status).toBe(201);
    hooks.secrets.push(endpoint.body.secret as string);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await snsHost?.close();
    await sesRx?.close();
    await hooks?.close();
    rmSync(caDir, { recursive: true, force: true });
  });

  it('confirms the subscription by visiting its SubscribeURL, and the provider config never shows the token', async () => {
    const subscribeUrl = `${snsHost.baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=abc123`;
    const res = await post(signed({ Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe…', Token: 'abc123', SubscribeURL: subscribeUrl }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: 'confirmed' });
    expect(snsHost.requests.some((r) => r.method === 'GET' && r.url === `/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=abc123`)).toBe(true);
    const read = await request('GET', '/v1/providers/ses-main');
    expect(JSON.stringify(read.body)).not.toContain(TOKEN);
  });

  it('a Delivery notification (SignatureVersion 2) moves the delivery to delivered, with its event', async () => {
    const { id, delivery, messageId } = await sentDelivery('ada');
    const res = await post(notification({ notificationType: 'Delivery', mail: { messageId }, delivery: { smtpResponse: '250 ok' } }, '2'));
    expect(res.status).toBe(200);
    expect((await deliveryRow(delivery.id)).status).toBe('delivered');
    expect((await events(id)).map((e) => e.event)).toContain('delivered');
  });

  it('a permanent Bounce (SignatureVersion 1) bounces the delivery, suppresses the address, and the next send is suppressed', async () => {
    const { id, delivery, messageId } = await sentDelivery('bob');
    const bounce = { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'bob@example.org', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] };
    expect((await post(notification({ notificationType: 'Bounce', mail: { messageId }, bounce }, '1'))).status).toBe(200);
    expect(await deliveryRow(delivery.id)).toEqual({ status: 'bounced', reason: 'smtp; 550 5.1.1 user unknown', error_code: '5.1.1' });
    expect((await events(id)).find((e) => e.event === 'bounced')?.reason).toBe('smtp; 550 5.1.1 user unknown');
    const suppressed = (await request('GET', '/v1/suppressions/email')).body.items as { address: string }[];
    expect(suppressed.map((s) => s.address)).toContain('bob@example.org');
    const again = await request('POST', '/v1/notifications', { template: 'hello', to: { userIds: ['bob'] } });
    await eventually(async () => FINAL.has((await request('GET', `/v1/notifications/${again.body.id}`)).body?.status) || undefined);
    expect((await request('GET', `/v1/notifications/${again.body.id}/deliveries`)).body.items[0].status).toBe('suppressed');
  });

  it('a transient Bounce goes on the timeline only; a Complaint (event publishing) makes the delivery complained, suppresses the address and reaches a webhook endpoint as delivery.complained', async () => {
    const { id, delivery, messageId } = await sentDelivery('cyd');
    const transient = { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: 'cyd@example.org', status: '4.2.2' }] };
    expect((await post(notification({ notificationType: 'Bounce', mail: { messageId }, bounce: transient }))).status).toBe(200);
    expect((await deliveryRow(delivery.id)).status).toBe('sent');
    expect((await events(id)).map((e) => e.event)).toContain('delayed');
    const complaint = { complainedRecipients: [{ emailAddress: 'cyd@example.org' }], complaintFeedbackType: 'abuse' };
    expect((await post(notification({ eventType: 'Complaint', mail: { messageId }, complaint }))).status).toBe(200);
    expect((await deliveryRow(delivery.id)).status).toBe('complained');
    expect((await events(id)).find((e) => e.event === 'complained')?.reason).toBe('the recipient marked the message as spam (abuse)');
    const hook = await eventually(async () => hooks.accepted.find((h) => h.type === 'delivery.complained' && h.data.deliveryId === delivery.id), 30_000);
    expect(hook).toMatchObject({ id: `${delivery.id}:complained`, data: { notificationId: id, userId: 'cyd', channel: 'email', provider: 'ses-main', reason: 'the recipient marked the message as spam (abuse)' } });
    expect(hooks.unverified()).toBe(0);
    const suppressed = (await request('GET', '/v1/suppressions/email')).body.items as { address: string }[];
    expect(suppressed.map((s) => s.address)).toContain('cyd@example.org');
  });

  it('refuses a tampered message, a certificate off the allowed hosts, a wrong token, an unknown provider and a malformed body', async () => {
    const { delivery, messageId } = await sentDelivery('dee');
    const good = notification({ notificationType: 'Delivery', mail: { messageId } });
    const tampered = { ...good, Message: good.Message.replace('Delivery', 'Complaint') };
    const tamperedRes = await post(tampered);
    expect(tamperedRes.status).toBe(403);
    expect(((await tamperedRes.json()) as any).error.code).toBe('bad_signature');
    const offHost = signed({ Type: 'Notification', Message: good.Message }, '2', `https://localhost:${snsHost.port}/cert.pem`);
    const offHostRes = await post(offHost);
    expect(offHostRes.status).toBe(403);
    expect(((await offHostRes.json()) as any).error.message).toContain('is not on an SNS host (localhost)');
    expect((await post(good, 'wrong-token-0123456789')).status).toBe(403);
    expect((await post(good, TOKEN, 'nope')).status).toBe(404);
    const malformed = await post({ Type: 'Notification' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).error.code).toBe('invalid_sns_message');
    expect((await deliveryRow(delivery.id)).status).toBe('sent');
  });

  it('the analytics report counts the delivered, bounced and complained receipts', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const totals = await eventually(async () => {
      const r = await request('GET', `/v1/analytics/summary?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      const c = r.body?.totals?.counts;
      return c && c.bounced >= 1 && c.complained >= 1 && c.delivered >= 1 ? c : undefined;
    });
    expect(totals).toMatchObject({ delivered: 1, bounced: 1, complained: 1 });
  });
});
