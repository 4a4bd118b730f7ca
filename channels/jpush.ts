// JPush (极光推送) Push API v3: `POST /v3/push` with HTTP Basic `appKey:masterSecret` and a
// JSON push to one device by `audience.registration_id`, the notification written for Android
// and iOS alike (title, body, and the click URL and data as extras). The answer's `msg_id` is
// the provider message id. JPush answers 200 on success and 4xx/5xx with `{error: {code,
// message}}`: 1011 (no device for this audience, e.g. uninstalled or inactive for months) is an
// invalid recipient, so the router forgets the registration id; 2002 is the app's rate limit
// (429, X-Rate-Limit-Reset says when it resets); 1004 and 1008 are the credentials.
import { z } from 'zod';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, joinUrl, parseJson, parseRetryAfter, requireChannel, requireConfig, truncate, type HttpResponse } from './http.js';
import { enforceLimits } from './limits.js';
import type { ChannelAdapter, ChannelLimits, PushMessage, SendResult } from './types.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface JpushConfig extends OutboundSettings {
  appKey: string;
  masterSecret: string;
  /** iOS: the production APNs environment (default) or the development one. */
  apnsProduction?: boolean | undefined;
  /** Default `https://api.jpush.cn`. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

const ConfigSchema = z.strictObject({
  appKey: z.string().regex(/^[0-9a-f]{24}$/, 'the 24-character AppKey').meta({ description: "The app's AppKey." }),
  masterSecret: secret(z.string().regex(/^[0-9a-f]{24}$/, 'the 24-character Master Secret'), "The app's Master Secret."),
  apnsProduction: z.boolean().optional().meta({ description: 'iOS: the production APNs environment (default true) or the development one.' }),
  baseUrl: httpUrl('Default `https://api.jpush.cn`.').optional(),
  timeoutMs,
});

interface JpushAnswer {
  sendno?: string;
  msg_id?: string | number;
  error?: { code?: number; message?: string };
}

export const JPUSH_API = 'https://api.jpush.cn';

/**
 * JPush refuses a notification (Android and iOS parts together) over 4000 bytes. The push API
 * allows 600 calls a minute per app by default.
 */
const LIMITS: ChannelLimits = { lengths: [{ field: 'notification', unit: 'bytes', max: 4000 }], ratePerSecond: 10, supportsRecall: false, supportsReceipts: false };

/** JPush keeps an undelivered push one day unless told (at most ten days). */
const MAX_TTL_SECONDS = 10 * 24 * 3600;

// 1011: no device matches the audience (the registration id is unknown, or the app was removed or idle for months).
const RECIPIENT_ERRORS = new Set([1011]);
// 1004 authentication failed, 1008 invalid AppKey, 2003 the app may not use this API, 1020 HTTPS required.
const CONFIG_ERRORS = new Set([1004, 1008, 2003, 1020]);
// 1005 the message is too long.
const CONTENT_ERRORS = new Set([1005]);
// 1030 an internal timeout: worth another attempt.
const BUSY_ERRORS = new Set([1030]);

function extrasOf(message: PushMessage): Record<string, string> {
  const { url, data } = message.content;
  return { ...data, ...(url ? { url } : {}) };
}

function notificationOf(message: PushMessage): Record<string, unknown> {
  const { title, body } = message.content;
  const extras = extrasOf(message);
  return {
    alert: body,
    android: { alert: body, title, extras },
    ios: { alert: { title, body }, sound: 'default', extras },
  };
}

function answerError(res: HttpResponse, a: JpushAnswer | undefined): DeliveryError {
  const code = a?.error?.code;
  if (typeof code !== 'number') {
    if (res.status >= 200 && res.status < 300) return new DeliveryError(DeliveryErrorType.Unavailable, `jpush: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
    return errorForStatus('jpush', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
  }
  const detail = `jpush error ${code}: ${a?.error?.message ?? ''}`;
  if (code === 2002 || res.status === 429) {
    // X-Rate-Limit-Reset: seconds until the window resets.
    const retryAfterMs = parseRetryAfter(res.headers.get('x-rate-limit-reset')) ?? parseRetryAfter(res.headers.get('retry-after')) ?? 60_000;
    return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs });
  }
  if (BUSY_ERRORS.has(code) || res.status >= 500) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (RECIPIENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
  if (CONFIG_ERRORS.has(code) || res.status === 401 || res.status === 403) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  if (CONTENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.Content, detail, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
}

export function createJpushAdapter(): ChannelAdapter<JpushConfig, PushMessage> {
  return {
    kind: 'jpush',
    channel: 'push',
    limits: LIMITS,
    measure: (message) => ({ notification: JSON.stringify(notificationOf(message)) }),

    configSchema: ConfigSchema,

    async send(message: PushMessage, config: JpushConfig): Promise<SendResult> {
      requireChannel(message.channel, 'push', 'jpush');
      const appKey = requireConfig(config.appKey, 'jpush', 'appKey');
      const masterSecret = requireConfig(config.masterSecret, 'jpush', 'masterSecret');
      const to = message.to;
      if (typeof to !== 'string' || !/^[0-9A-Za-z]{1,64}$/.test(to)) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'jpush: the target is not a JPush registration id', { code: 'EINVALIDTOKEN' });
      }
      const notification = notificationOf(message);
      enforceLimits('jpush', LIMITS, { notification: JSON.stringify(notification) });
      const ttl = message.options?.ttlSeconds;
      const options: Record<string, unknown> = { apns_production: config.apnsProduction ?? true };
      if (ttl !== undefined) options.time_to_live = Math.max(0, Math.min(MAX_TTL_SECONDS, Math.floor(ttl)));
      if (message.options?.collapseKey) options.apns_collapse_id = message.options.collapseKey.slice(0, 64);
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: joinUrl(config.baseUrl ?? JPUSH_API, '/v3/push'),
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${appKey}:${masterSecret}`).toString('base64')}`,
        },
        body: JSON.stringify({ platform: 'all', audience: { registration_id: [to] }, notification, options }),
        timeoutMs: config.timeoutMs,
      });
      const answer = parseJson(res.text) as JpushAnswer | undefined;
      if (res.status === 200 && answer && !answer.error && answer.msg_id !== undefined && answer.msg_id !== '') return { providerMessageId: String(answer.msg_id) };
      throw answerError(res, answer);
    },

    async close(): Promise<void> {},
  };
}
