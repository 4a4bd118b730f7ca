// FCM and APNs replies that say a device token is gone prune it, through the whole stack: the
// send goes through the workflow to local FCM (OAuth JWT grant + HTTP v1) and APNs (HTTP/2,
// ES256 provider token) servers; FCM 404 UNREGISTERED and 400 INVALID_ARGUMENT for the token,
// APNs 410 Unregistered and 400 BadDeviceToken remove the token from the user's profile, put
// `target_removed` on the timeline, and the next send does not target it.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';
import { startApns, type ApnsServer } from '../providers/apns.js';
import { googleApis, type FcmState } from '../providers/fcm.js';
import { startReceiver, type Receiver } from '../providers/receiver.js';
import { selfSignedCertificate } from '../providers/tls.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const CLIENT_EMAIL = 'herald@herald-test.iam.gserviceaccount.com';
const FCM_OK = 'fcm-device-token-0123456789abcdef:APA91b';
const FCM_GONE = 'fcm-device-token-uninstalled-app-0000';
const FCM_INVALID = 'not a token!';
const APNS_OK = 'a'.repeat(64);
const APNS_GONE = 'b'.repeat(64);
const APNS_BAD = 'c'.repeat(64);

const FINAL = new Set(['completed', 'partially_failed', 'failed']);

interface Tenant {
  request: (method: string, path: string, body?: unknown) => ReturnType<TestStack['request']>;
}

describe('push tokens a provider calls gone are pruned', () => {
  let stack: TestStack;
  let fcmRx: Receiver;
  let apns: ApnsServer;
  const fcm: FcmState = { tokenRequests: 0, issued: new Set(), sent: [] };
  const tls = selfSignedCertificate();
  let fcmTenant: Tenant;
  let apnsTenant: Tenant;

  async function tenant(id: string, provider: object, users: Record<string, object>): Promise<Tenant> {
    const created = await stack.request('POST', '/v1/tenants', { id, name: id });
    const key = created.body.adminKey.key as string;
    const t: Tenant = { request: (method, path, body) => stack.request(method, path, body, { key }) };
    expect((await t.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    expect((await t.request('PUT', '/v1/providers/push', provider)).status).toBe(201);
    expect((await t.request('PUT', '/v1/templates/ping', { push: { title: 'Ping', body: 'Hello' } })).status).toBe(201);
    expect((await t.request('POST', '/v1/templates/ping/publish')).status).toBe(201);
    for (const [u, identities] of Object.entries(users)) expect((await t.request('PUT', `/v1/users/${u}`, { name: u, identities })).status).toBeLessThan(300);
    return t;
  }

  async function send(t: Tenant, userId: string): Promise<{ id: string; status: string; delivery: any; events: { event: string; reason: string | null; details: any }[] }> {
    const res = await t.request('POST', '/v1/notifications', { template: 'ping', to: { userIds: [userId] }, channels: ['push'] });
    expect(res.status).toBe(202);
    const final = await eventually(async () => {
      const r = await t.request('GET', `/v1/notifications/${res.body.id}`);
      return FINAL.has(r.body?.status) ? r.body : undefined;
    });
    const delivery = (await t.request('GET', `/v1/notifications/${res.body.id}/deliveries`)).body.items[0];
    const events = (await t.request('GET', `/v1/notifications/${res.body.id}/events`)).body.items;
    return { id: res.body.id, status: final.status, delivery, events };
  }

  beforeAll(async () => {
    stack = await startStack();
    fcmRx = await startReceiver(googleApis({ origin: () => fcmRx.baseUrl, clientEmail: CLIENT_EMAIL, publicKeyPem: rsa.publicKey, projectId: 'herald-test', unregistered: new Set([FCM_GONE]), state: fcm }));
    apns = await startApns({ tls, teamId: 'TEAM123456', keyId: 'KEY1234567', publicKeyPem: ec.publicKey, topic: 'com.example.shop' });
    apns.unregistered.add(APNS_GONE);
    fcmTenant = await tenant(
      'prune-fcm',
      { channel: 'push', kind: 'fcm', config: { serviceAccount: { project_id: 'herald-test', client_email: CLIENT_EMAIL, private_key: rsa.privateKey, token_uri: `${fcmRx.baseUrl}/token` }, apiBaseUrl: fcmRx.baseUrl } },
      { ana: { fcm: [FCM_GONE, FCM_OK, FCM_INVALID] } },
    );
    apnsTenant = await tenant(
      'prune-apns',
      { channel: 'push', kind: 'apns', config: { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: ec.privateKey, topic: 'com.example.shop', apiBaseUrl: apns.baseUrl, ca: tls.cert } },
      { ben: { apns: [APNS_GONE, APNS_OK] }, cai: { apns: [APNS_BAD] } },
    );
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await fcmRx?.close();
    await apns?.close();
  });

  it('FCM: UNREGISTERED (404) and INVALID_ARGUMENT for the token remove both; the good token gets this send and the next, alone', async () => {
    const first = await send(fcmTenant, 'ana');
    expect(first.status).toBe('completed');
    expect(first.delivery.status).toBe('sent');
    expect(fcm.sent.map((s) => s.token)).toEqual([FCM_OK]);
    expect((await fcmTenant.request('GET', '/v1/users/ana')).body.identities.fcm).toEqual([FCM_OK]);
    const removed = first.events.filter((e) => e.event === 'target_removed');
    expect(removed).toHaveLength(1);
    expect(removed[0]?.reason).toBe("push reported 2 push targets gone (unregistered or invalid); removed from the user's profile");
    // The next send asks for the good token only: the FCM server sees no request for the others.
    const requestsBefore = fcmRx.requests.length;
    const second = await send(fcmTenant, 'ana');
    expect(second.status).toBe('completed');
    const asked = fcmRx.requests.slice(requestsBefore).filter((r) => r.url.endsWith('messages:send'));
    expect(asked.map((r) => JSON.parse(r.body).message.token)).toEqual([FCM_OK]);
    expect(second.events.some((e) => e.event === 'target_removed')).toBe(false);
  });

  it('APNs: 410 Unregistered removes the token, the other gets the push; the next send targets only it', async () => {
    const first = await send(apnsTenant, 'ben');
    expect(first.status).toBe('completed');
    expect((await apnsTenant.request('GET', '/v1/users/ben')).body.identities.apns).toEqual([APNS_OK]);
    expect(first.events.filter((e) => e.event === 'target_removed').map((e) => e.details)).toEqual([{ removed: 1, provider: 'push' }]);
    const before = apns.requests.length;
    expect((await send(apnsTenant, 'ben')).status).toBe('completed');
    expect(apns.requests.slice(before).map((r) => String(r.headers[':path']))).toEqual([`/3/device/${APNS_OK}`]);
  });

  it('APNs: 400 BadDeviceToken on a user’s only token removes it and fails the delivery; the next send has no address to try', async () => {
    apns.replyOnce(400, 'BadDeviceToken');
    const first = await send(apnsTenant, 'cai');
    expect(first.delivery.status).toBe('failed');
    expect(first.events.some((e) => e.event === 'target_removed')).toBe(true);
    expect((await apnsTenant.request('GET', '/v1/users/cai')).body.identities.apns ?? []).toEqual([]);
    const before = apns.requests.length;
    const second = await send(apnsTenant, 'cai');
    expect(second.delivery.status).toBe('suppressed');
    expect(apns.requests.length).toBe(before);
  });
});
