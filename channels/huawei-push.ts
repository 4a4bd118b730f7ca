// Huawei Push Kit (HMS Core Push, server API v1): an OAuth 2.0 client-credentials token from
// `POST https://oauth-login.cloud.huawei.com/oauth2/v3/token` (form: grant_type, client_id =
// the app id, client_secret = the app secret), cached per app until shortly before it expires
// and fetched again once when Push Kit calls it invalid or expired (80200001/80200003), then
// `POST https://push-api.cloud.huawei.com/v1/{appId}/messages:send` with `Authorization: Bearer`
// and one device token. Push Kit answers `{code, msg, requestId}`: "80000000" is success, the
// requestId the provider message id; 80300007 (every token invalid) and 80100000 naming our token
// as illegal are an invalid recipient, so the router forgets the token.
import { z } from 'zod';
import { callWithToken, createTokenCache, tokenKey, type FetchedToken } from './access-token.js';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { huaweiReceiptFields } from './huawei-receipts.js';
import { receiptTokenField } from './sms-reports.js';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, joinUrl, parseJson, parseRetryAfter, requireChannel, requireConfig, truncate, type HttpResponse } from './http.js';
import { enforceLimits } from './limits.js';
import type { ChannelAdapter, ChannelLimits, PushMessage, SendResult } from './types.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface HuaweiPushConfig extends OutboundSettings {
  /** The app's App ID (also the OAuth client id). */
  appId: string;
  /** The app's App Secret (the OAuth client secret). */
  appSecret: string;
  /** Android notification channel importance: `NORMAL` (default) or `LOW` (Push Kit's classification). */
  importance?: 'NORMAL' | 'LOW' | undefined;
  /** Default `https://push-api.cloud.huawei.com`. */
  baseUrl?: string | undefined;
  /** Default `https://oauth-login.cloud.huawei.com`. */
  authUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** Makes the receipt URL unguessable (channels/sms-reports.ts). */
  receiptToken?: string | undefined;
  receiptUserName?: string | undefined;
  receiptKey?: string | undefined;
}

const ConfigSchema = z.strictObject({
  appId: z.string().regex(/^\d{6,20}$/, 'the numeric App ID').meta({ description: "The app's App ID (also the OAuth client id)." }),
  appSecret: secret(z.string().min(16).max(256), "The app's App Secret (the OAuth client secret)."),
  importance: z.enum(['NORMAL', 'LOW']).optional().meta({ description: "Android notification channel importance: `NORMAL` (default) or `LOW` (Push Kit's classification)." }),
  baseUrl: httpUrl('Default `https://push-api.cloud.huawei.com`.').optional(),
  authUrl: httpUrl('Default `https://oauth-login.cloud.huawei.com`.').optional(),
  timeoutMs,
  receiptToken: receiptTokenField('<HERALD_PUBLIC_URL>/v1/receipts/<provider id>/huawei/<receiptToken>'),
  ...huaweiReceiptFields,
}).refine((c) => !c.receiptKey || c.receiptUserName !== undefined, { path: ['receiptUserName'], message: 'required with receiptKey (Push Kit signs with both)' });

interface HuaweiAnswer {
  code?: string;
  msg?: string;
  requestId?: string;
}

interface Answered {
  res: HttpResponse;
  answer: HuaweiAnswer | undefined;
}

export const HUAWEI_PUSH_API = 'https://push-api.cloud.huawei.com';
export const HUAWEI_OAUTH = 'https://oauth-login.cloud.huawei.com';

/** Push Kit refuses a message body over 4096 bytes. */
const LIMITS: ChannelLimits = { lengths: [{ field: 'message', unit: 'bytes', max: 4096 }], supportsRecall: false, supportsReceipts: true };

/** At most 15 days; Push Kit writes it as seconds with an `s`. */
const MAX_TTL_SECONDS = 15 * 24 * 3600;

// 80200001 OAuth authentication failed, 80200003 the OAuth token expired: fetch again, try once more.
const TOKEN_REFUSED = new Set(['80200001', '80200003']);
// 80300007 every token is invalid (uninstalled, or from another app).
const RECIPIENT_ERRORS = new Set(['80300007']);
// 80300002 the app may not send (Push Kit not enabled).
const CONFIG_ERRORS = new Set(['80300002']);
// 80300008 the message body is over 4096 bytes.
const CONTENT_ERRORS = new Set(['80300008']);
// 81000001 an internal error, 80600003 the OAuth service failed: worth another attempt.
const BUSY_ERRORS = new Set(['81000001', '80600003']);

function messageOf(message: PushMessage, importance: 'NORMAL' | 'LOW'): Record<string, unknown> {
  const { title, body, url, data } = message.content;
  const android: Record<string, unknown> = {
    notification: { title, body, importance, click_action: url ? { type: 2, url } : { type: 3 } },
  };
  const ttl = message.options?.ttlSeconds;
  if (ttl !== undefined) android.ttl = `${Math.max(0, Math.min(MAX_TTL_SECONDS, Math.floor(ttl)))}s`;
  // A notification with the same tag replaces the one shown (android.collapse_key is a number, not a key).
  if (message.options?.collapseKey) (android.notification as Record<string, unknown>).tag = message.options.collapseKey.slice(0, 64);
  const out: Record<string, unknown> = { android };
  if (data && Object.keys(data).length > 0) out.data = JSON.stringify(data);
  return out;
}

function answerError(what: string, { res, answer }: Answered, token: string): DeliveryError {
  const code = answer?.code;
  if (typeof code !== 'string') {
    if (isSuccess(res.status)) return new DeliveryError(DeliveryErrorType.Unavailable, `huawei ${what}: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
    return errorForStatus(`huawei ${what}`, res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
  }
  const detail = `huawei ${what} code ${code}: ${truncate(answer?.msg ?? '')}`;
  if (res.status === 429) return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) ?? 60_000 });
  if (BUSY_ERRORS.has(code) || res.status >= 500) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
  // Refused again with a token fetched a moment ago: the credentials.
  if (TOKEN_REFUSED.has(code)) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  if (RECIPIENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
  if (code === '80100000') {
    // Partial success: `msg` is JSON naming the illegal tokens.
    const illegal = (parseJson(answer?.msg ?? '') as { illegal_tokens?: unknown } | undefined)?.illegal_tokens;
    if (Array.isArray(illegal) && illegal.includes(token)) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
  }
  if (CONFIG_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  if (CONTENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.Content, detail, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
}

export function createHuaweiPushAdapter(): ChannelAdapter<HuaweiPushConfig, PushMessage> {
  const tokens = createTokenCache();

  return {
    kind: 'huawei-push',
    channel: 'push',
    limits: LIMITS,
    measure: (message, config) => ({ message: JSON.stringify(messageOf(message, config?.importance ?? 'NORMAL')) }),

    configSchema: ConfigSchema,

    async send(message: PushMessage, config: HuaweiPushConfig): Promise<SendResult> {
      requireChannel(message.channel, 'push', 'huawei-push');
      const appId = requireConfig(config.appId, 'huawei-push', 'appId');
      const appSecret = requireConfig(config.appSecret, 'huawei-push', 'appSecret');
      const to = message.to;
      if (typeof to !== 'string' || !/^[A-Za-z0-9+/=_:.-]{20,512}$/.test(to)) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'huawei-push: the target is not a Push Kit token', { code: 'EINVALIDTOKEN' });
      }
      const msg = messageOf(message, config.importance ?? 'NORMAL');
      enforceLimits('huawei-push', LIMITS, { message: JSON.stringify(msg) });
      const authBase = config.authUrl ?? HUAWEI_OAUTH;
      const fetchToken = async (): Promise<FetchedToken> => {
        const res = await httpRequest({
          outbound: outboundPolicyOf(config),
          url: joinUrl(authBase, '/oauth2/v3/token'),
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: appId, client_secret: appSecret }).toString(),
          timeoutMs: config.timeoutMs,
        });
        const a = parseJson(res.text) as { access_token?: string; expires_in?: number; error?: number; error_description?: string } | undefined;
        if (isSuccess(res.status) && a?.access_token) return { token: a.access_token, expiresInSeconds: a.expires_in ?? 3600 };
        if (res.status >= 500 || res.status === 429) throw errorForStatus('huawei oauth', res, res.text);
        // A wrong app id or secret: nothing another attempt fixes.
        throw new DeliveryError(DeliveryErrorType.ProviderConfig, `huawei oauth answered ${res.status}: ${a?.error ?? ''} ${truncate(a?.error_description ?? res.text)}`, { code: a?.error ?? res.status });
      };
      const body = JSON.stringify({ validate_only: false, message: { ...msg, token: [to] } });
      const got = await callWithToken(
        tokens,
        tokenKey(authBase, appId, appSecret),
        fetchToken,
        async (token): Promise<Answered> => {
          const res = await httpRequest({
            outbound: outboundPolicyOf(config),
            url: joinUrl(config.baseUrl ?? HUAWEI_PUSH_API, `/v1/${encodeURIComponent(appId)}/messages:send`),
            headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
            body,
            timeoutMs: config.timeoutMs,
          });
          return { res, answer: parseJson(res.text) as HuaweiAnswer | undefined };
        },
        (a) => TOKEN_REFUSED.has(a.answer?.code ?? ''),
      );
      if (got.answer?.code !== '80000000' || !isSuccess(got.res.status)) throw answerError('messages:send', got, to);
      return { providerMessageId: got.answer.requestId ?? null };
    },

    async close(): Promise<void> {
      tokens.clear();
    },
  };
}
