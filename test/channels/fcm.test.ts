import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFcmAdapter, type FcmConfig } from '../../channels/fcm.js';
import type { PushMessage } from '../../channels/types.js';
import { DeliveryErrorType } from '../../channels/errors.js';
import { expectDeliveryError } from '../providers/assertions.js';
import { googleApis, type FcmState } from '../providers/fcm.js';
import { closedPort, LOOPBACK, type Receiver, startReceiver } from '../providers/receiver.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const CLIENT_EMAIL = 'herald@herald-test.iam.gserviceaccount.com';
const DEVICE = 'fcm-device-token-0123456789abcdef:APA91b';
const GONE = 'fcm-device-token-uninstalled-app-0000';
const state: FcmState = { tokenRequests: 0, issued: new Set(), sent: [] };
let rx: Receiver;
let config: FcmConfig;

const push = (to: string = DEVICE): PushMessage => ({
  channel: 'push',
  messageId: 'd-42',
  to,
  content: { title: 'Sale', body: '20% off today', url: 'https://shop.example/sale', data: { campaign: 'c1' } },
  options: { ttlSeconds: 3600, urgency: 'high', collapseKey: 'sale' },
});

beforeAll(async () => {
  rx = await startReceiver(googleApis({ origin: () => rx.baseUrl, clientEmail: CLIENT_EMAIL, publicKeyPem: publicKey, projectId: 'herald-test', unregistered: new Set([GONE]), state }));
  config = { ...LOOPBACK, serviceAccount: { project_id: 'herald-test', client_email: CLIENT_EMAIL, private_key: privateKey, token_uri: `${rx.baseUrl}/token` }, apiBaseUrl: rx.baseUrl };
});
afterAll(async () => {
  await rx.close();
});

describe('fcm adapter', () => {
  it('exchanges a signed JWT for a token once, caches it, and sends v1 messages', async () => {
    const adapter = createFcmAdapter();
    const res = await adapter.send(push(), config);
    expect(res.providerMessageId).toMatch(/^projects\/herald-test\/messages\//);
    await Promise.all([adapter.send(push(), config), adapter.send(push(), config)]);
    expect(state.tokenRequests).toBe(1);
    const m = state.sent.at(-1)!.message;
    expect(m).toMatchObject({
      token: DEVICE,
      notification: { title: 'Sale', body: '20% off today' },
      data: { campaign: 'c1', heraldMessageId: 'd-42', url: 'https://shop.example/sale' },
      android: { priority: 'HIGH', ttl: '3600s', collapse_key: 'sale' },
      apns: { headers: { 'apns-priority': '10', 'apns-collapse-id': 'sale' } },
    });
    // Each adapter instance owns its cache: a second one fetches its own token.
    await createFcmAdapter().send(push(), config);
    expect(state.tokenRequests).toBe(2);
    await adapter.close();
  });

  it('refreshes a revoked token once and retries', async () => {
    const adapter = createFcmAdapter();
    await adapter.send(push(), config);
    const before = state.tokenRequests;
    state.issued.clear();
    await adapter.send(push(), config);
    expect(state.tokenRequests).toBe(before + 1);
  });

  it('maps UNREGISTERED and other FCM errors', async () => {
    const adapter = createFcmAdapter();
    expect((await expectDeliveryError(adapter.send(push(GONE), config), DeliveryErrorType.InvalidRecipient, true)).code).toBe('UNREGISTERED');
    await expectDeliveryError(adapter.send(push('short'), config), DeliveryErrorType.InvalidRecipient, true);
    rx.replyOnce({ status: 400, body: { error: { code: 400, message: 'Invalid value at message.android.ttl', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' }] } } });
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.Rejected, true);
    rx.replyOnce({ status: 429, headers: { 'retry-after': '20' }, body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'QUOTA_EXCEEDED' }] } } });
    expect((await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.RateLimited, false)).retryAfterMs).toBe(20_000);
    rx.replyOnce({ status: 503, body: { error: { code: 503, status: 'UNAVAILABLE', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNAVAILABLE' }] } } });
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 500, body: { error: { code: 500, status: 'INTERNAL' } } });
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.Unavailable, false);
    rx.replyOnce({ status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'THIRD_PARTY_AUTH_ERROR' }] } } });
    rx.replyOnce({ status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'THIRD_PARTY_AUTH_ERROR' }] } } });
    await expectDeliveryError(adapter.send(push(), config), DeliveryErrorType.ProviderConfig, true);
  });

  it('maps token endpoint failures and network errors', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    const wrongKey = { ...config, serviceAccount: { ...config.serviceAccount, private_key: other } };
    expect((await expectDeliveryError(createFcmAdapter().send(push(), wrongKey), DeliveryErrorType.ProviderConfig, true)).code).toBe('invalid_grant');
    const notAKey = { ...config, serviceAccount: { ...config.serviceAccount, private_key: 'nope' } };
    await expectDeliveryError(createFcmAdapter().send(push(), notAKey), DeliveryErrorType.ProviderConfig, true);
    rx.replyOnce({ status: 503, body: 'token service down' });
    await expectDeliveryError(createFcmAdapter().send(push(), config), DeliveryErrorType.Unavailable, false);
    const port = await closedPort();
    await expectDeliveryError(createFcmAdapter().send(push(), { ...config, tokenUri: `http://127.0.0.1:${port}/token` }), DeliveryErrorType.Network, false);
    await expectDeliveryError(createFcmAdapter().send(push(), { ...config, apiBaseUrl: `http://127.0.0.1:${port}` }), DeliveryErrorType.Network, false);
  });
});
