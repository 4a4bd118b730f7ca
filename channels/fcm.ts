// Firebase Cloud Messaging HTTP v1. A service account signs an RS256 JWT, exchanges it at the
// token URI for an OAuth access token (cached until shortly before expiry, inside the adapter),
// then POSTs /v1/projects/{id}/messages:send. The FcmError detail's errorCode
// (UNREGISTERED, QUOTA_EXCEEDED, ...) is what classifies a failure.
import { createSign } from 'node:crypto';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, joinUrl, parseJson, parseRetryAfter, requireChannel, requireConfig, truncate, type ResponseHeaders } from './http.js';
import { enforceLimits } from './limits.js';
import type { ChannelAdapter, ChannelLimits, PushMessage, SendResult } from './types.js';
import { z } from 'zod';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface FcmServiceAccount {
  project_id?: string | undefined;
  client_email: string;
  private_key: string;
  token_uri?: string | undefined;
}

export interface FcmConfig extends OutboundSettings {
  serviceAccount: FcmServiceAccount;
  /** Defaults to the service account's project_id. */
  projectId?: string | undefined;
  /** Default `https://fcm.googleapis.com`. */
  apiBaseUrl?: string | undefined;
  /** Overrides the service account's token_uri. */
  tokenUri?: string | undefined;
  timeoutMs?: number | undefined;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

interface FcmErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: { '@type'?: string; errorCode?: string }[] };
}

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Refresh this long before expiry so a token never dies in flight. */
const EXPIRY_MARGIN_MS = 60_000;

function b64url(v: object): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function signedAssertion(sa: FcmServiceAccount, tokenUri: string, nowSeconds: number): string {
  const unsigned = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ iss: sa.client_email, scope: FCM_SCOPE, aud: tokenUri, iat: nowSeconds, exp: nowSeconds + 3600 })}`;
  let signature: string;
  try {
    signature = createSign('RSA-SHA256').update(unsigned).sign(sa.private_key, 'base64url');
  } catch (err) {
    throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'fcm: service account private_key is not a usable RSA key', { code: 'EKEY', cause: err });
  }
  return `${unsigned}.${signature}`;
}

function classifySendError(status: number, headers: ResponseHeaders, text: string): DeliveryError {
  const body = (parseJson(text) as FcmErrorBody | undefined)?.error;
  const fcmCode = body?.details?.find((d) => d['@type']?.endsWith('google.firebase.fcm.v1.FcmError'))?.errorCode ?? body?.status;
  const detail = `fcm ${status} ${fcmCode ?? ''}: ${truncate(body?.message ?? text)}`;
  const code = fcmCode ?? status;
  switch (fcmCode) {
    case 'UNREGISTERED':
    case 'SENDER_ID_MISMATCH':
      return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
    case 'INVALID_ARGUMENT':
      // The same code covers a malformed token and a malformed message; only the text tells them apart.
      return new DeliveryError(/registration token/i.test(body?.message ?? '') ? DeliveryErrorType.InvalidRecipient : DeliveryErrorType.Rejected, detail, { code });
    case 'QUOTA_EXCEEDED':
      return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: parseRetryAfter(headers.get('retry-after')) });
    case 'UNAVAILABLE':
    case 'INTERNAL':
      return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code, retryAfterMs: parseRetryAfter(headers.get('retry-after')) });
    case 'THIRD_PARTY_AUTH_ERROR':
      return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  }
  return errorForStatus('fcm', { status, headers, text }, detail, { code });
}

// FCM refuses a message whose notification and data together exceed 4096 bytes.
const LIMITS: ChannelLimits = { lengths: [{ field: 'payload', unit: 'bytes', max: 4096 }], supportsRecall: false, supportsReceipts: false };

function payloadOf(message: PushMessage): { notification: { title: string; body: string }; data: Record<string, string> } {
  const data: Record<string, string> = { ...message.content.data, heraldMessageId: message.messageId };
  if (message.content.url) data.url = message.content.url;
  return { notification: { title: message.content.title, body: message.content.body }, data };
}

const ConfigSchema = z.strictObject({
  serviceAccount: secret(
    z.looseObject({ client_email: z.string().min(3), private_key: z.string().includes('PRIVATE KEY', { message: 'a PEM private key' }), project_id: z.string().optional(), token_uri: z.string().optional() }),
    "The Firebase service account's JSON key file, as an object.",
  ),
  projectId: z.string().min(1).max(64).optional().meta({ description: "The Firebase project; default the service account's `project_id`." }),
  apiBaseUrl: httpUrl('Default `https://fcm.googleapis.com`.').optional(),
  tokenUri: httpUrl("Overrides the service account's `token_uri`.").optional(),
  timeoutMs,
});

export function createFcmAdapter(): ChannelAdapter<FcmConfig, PushMessage> {
  const tokens = new Map<string, CachedToken>();
  // Concurrent sends share one token request instead of stampeding the token endpoint.
  const pending = new Map<string, Promise<CachedToken>>();

  async function fetchToken(config: FcmConfig, tokenUri: string): Promise<CachedToken> {
    const sa = config.serviceAccount;
    const res = await httpRequest({
      outbound: outboundPolicyOf(config),
      url: tokenUri,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signedAssertion(sa, tokenUri, Math.floor(Date.now() / 1000)) }).toString(),
      timeoutMs: config.timeoutMs,
    });
    const json = parseJson(res.text) as { access_token?: string; expires_in?: number; error?: string; error_description?: string } | undefined;
    if (isSuccess(res.status) && json?.access_token) {
      return { accessToken: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 - EXPIRY_MARGIN_MS };
    }
    const detail = `fcm token endpoint: ${json?.error ?? ''} ${json?.error_description ?? truncate(res.text)}`;
    // invalid_grant / invalid_client / unauthorized_client: the service account is wrong or disabled.
    if (res.status === 400 || res.status === 401 || res.status === 403) throw new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code: json?.error ?? res.status });
    throw errorForStatus('fcm token endpoint', res, detail, { goneType: DeliveryErrorType.ProviderConfig });
  }

  async function accessToken(config: FcmConfig, tokenUri: string): Promise<string> {
    const key = `${config.serviceAccount.client_email}|${tokenUri}`;
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.accessToken;
    let p = pending.get(key);
    if (!p) {
      p = fetchToken(config, tokenUri).finally(() => pending.delete(key));
      pending.set(key, p);
    }
    const fresh = await p;
    tokens.set(key, fresh);
    return fresh.accessToken;
  }

  return {
    kind: 'fcm',
    channel: 'push',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ payload: JSON.stringify(payloadOf(message)) }),

    async send(message: PushMessage, config: FcmConfig): Promise<SendResult> {
      requireChannel(message.channel, 'push', 'fcm');
      const sa = requireConfig(config.serviceAccount, 'fcm', 'serviceAccount');
      requireConfig(sa.client_email, 'fcm', 'serviceAccount.client_email');
      requireConfig(sa.private_key, 'fcm', 'serviceAccount.private_key');
      const projectId = requireConfig(config.projectId ?? sa.project_id, 'fcm', 'projectId');
      const tokenUri = config.tokenUri ?? sa.token_uri ?? DEFAULT_TOKEN_URI;
      if (typeof message.to !== 'string' || !message.to) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'fcm: recipient must be a registration token', { code: 'EINVALIDTOKEN' });

      const o = message.options;
      const payload = payloadOf(message);
      enforceLimits('fcm', LIMITS, { payload: JSON.stringify(payload) });
      const high = o?.urgency === 'high';
      const body = JSON.stringify({
        message: {
          token: message.to,
          ...payload,
          android: {
            priority: high ? 'HIGH' : 'NORMAL',
            ...(o?.ttlSeconds !== undefined ? { ttl: `${o.ttlSeconds}s` } : {}),
            ...(o?.collapseKey ? { collapse_key: o.collapseKey } : {}),
          },
          apns: {
            headers: {
              'apns-priority': high ? '10' : '5',
              ...(o?.collapseKey ? { 'apns-collapse-id': o.collapseKey } : {}),
              ...(o?.ttlSeconds !== undefined ? { 'apns-expiration': String(Math.floor(Date.now() / 1000) + o.ttlSeconds) } : {}),
            },
          },
          ...(message.content.url ? { webpush: { fcm_options: { link: message.content.url } } } : {}),
        },
      });
      const url = joinUrl(config.apiBaseUrl ?? 'https://fcm.googleapis.com', `/v1/projects/${encodeURIComponent(projectId)}/messages:send`);
      const post = async (token: string) =>
        httpRequest({ outbound: outboundPolicyOf(config), url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' }, body, timeoutMs: config.timeoutMs });

      let res = await post(await accessToken(config, tokenUri));
      if (res.status === 401) {
        // The cached token was revoked or expired early: fetch a new one and try once more.
        tokens.delete(`${sa.client_email}|${tokenUri}`);
        res = await post(await accessToken(config, tokenUri));
      }
      if (isSuccess(res.status)) {
        const name = (parseJson(res.text) as { name?: string } | undefined)?.name;
        return { providerMessageId: name ?? null };
      }
      throw classifySendError(res.status, res.headers, res.text);
    },

    async close(): Promise<void> {
      tokens.clear();
    },
  };
}
