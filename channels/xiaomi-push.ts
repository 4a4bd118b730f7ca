// Xiaomi push (MiPush, 小米推送) server API v3: `POST /v3/message/regid` with
// `Authorization: key=<AppSecret>` and a form body (registration_id, restricted_package_name,
// title, description, notify_type, notify_id, time_to_live in milliseconds, payload, and
// `extra.*` for the click action and channel). The answer is `{result, code, data: {id},
// description, reason}`: result "ok" with data.id (the provider message id) is success. A
// registration id MiPush does not know comes back in `data.bad_regids`, or as "No valid
// targets" when it was the only one: an invalid recipient, so the router forgets it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { receiptTokenField } from './sms-reports.js';
import { XIAOMI_RECEIPT_TYPES } from './xiaomi-receipts.js';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, joinUrl, parseJson, requireChannel, requireConfig, truncate, type HttpResponse } from './http.js';
import { enforceLimits } from './limits.js';
import type { ChannelAdapter, ChannelLimits, PushMessage, SendResult } from './types.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface XiaomiPushConfig extends OutboundSettings {
  /** The app's AppSecret (sent as `Authorization: key=…`). */
  appSecret: string;
  /** The app's package name (`restricted_package_name`). */
  packageName: string;
  /** A notification channel registered with Xiaomi (`extra.channel_id`), needed for private messages on newer MIUI/HyperOS. */
  channelId?: string | undefined;
  /** Default `https://api.xmpush.xiaomi.com` (mainland China); the global regions have their own hosts. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** Makes the receipt URL unguessable (channels/sms-reports.ts). */
  receiptToken?: string | undefined;
  /** Herald's receipt URL for this provider, sent with each message as `extra.callback`. */
  receiptUrl?: string | undefined;
}

const ConfigSchema = z.strictObject({
  appSecret: secret(z.string().min(16).max(128), "The app's AppSecret (sent as `Authorization: key=…`)."),
  packageName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/, 'an Android package name').meta({ description: "The app's package name (`restricted_package_name`)." }),
  channelId: z.string().min(1).max(64).optional().meta({ description: 'A notification channel registered with Xiaomi (`extra.channel_id`), needed for private messages on newer MIUI/HyperOS.' }),
  baseUrl: httpUrl('Default `https://api.xmpush.xiaomi.com` (mainland China); the global regions have their own hosts.').optional(),
  timeoutMs,
  receiptToken: receiptTokenField('<HERALD_PUBLIC_URL>/v1/receipts/<provider id>/xiaomi/<receiptToken>'),
  receiptUrl: secret(
    z.url({ protocol: /^https?$/ }),
    'Herald’s receipt URL for this provider, `<HERALD_PUBLIC_URL>/v1/receipts/<provider id>/xiaomi/<receiptToken>`: sent with each message as `extra.callback` (MiPush takes the receipt URL per message, not from its console), so MiPush posts delivered and invalid-device receipts there. Needs `receiptToken`.',
  ).optional(),
}).refine((c) => !c.receiptUrl || (c.receiptToken !== undefined && c.receiptUrl.endsWith(`/xiaomi/${c.receiptToken}`)), {
  path: ['receiptUrl'],
  message: 'must end with /xiaomi/<receiptToken>, with receiptToken set',
});

interface XiaomiAnswer {
  result?: string;
  code?: number;
  description?: string;
  reason?: string;
  data?: { id?: string; bad_regids?: string };
}

export const XIAOMI_PUSH_API = 'https://api.xmpush.xiaomi.com';

/** MiPush: a title shorter than 50 characters and a description shorter than 128 (each character counts 1). */
const LIMITS: ChannelLimits = {
  lengths: [
    { field: 'title', unit: 'chars', max: 49 },
    { field: 'description', unit: 'chars', max: 127 },
  ],
  supportsRecall: false,
  supportsReceipts: true,
};

/** Private messages are cached for at most ten days. */
const MAX_TTL_MS = 10 * 24 * 3600 * 1000;

// 21301 authentication failed, 22000 illegal app, 22006/22007 invalid app id/key, 22022 invalid package name, 10031 app blocked.
const CONFIG_ERRORS = new Set([21301, 21302, 22000, 22006, 22007, 22022, 10031]);
// 10027 API called too often, 10034 too many messages today.
const RATE_LIMITED = new Set([10027, 10034]);
// 10029 an unknown device.
const RECIPIENT_ERRORS = new Set([10029]);
// 65009 message too long.
const CONTENT_ERRORS = new Set([65009]);
// 1 internal error, 10001 system error, 10002 system busy, 10003 remote service error, 26003 internal push call failed.
const BUSY_ERRORS = new Set([1, 10001, 10002, 10003, 26003]);

/** A stable positive int: the same collapse key replaces what is shown; distinct messages stack. */
function notifyIdOf(key: string): string {
  return String(createHash('sha256').update(key).digest().readUInt32BE(0) & 0x7fffffff);
}

function formOf(message: PushMessage, config: Partial<XiaomiPushConfig>): URLSearchParams {
  const { title, body, url, data } = message.content;
  const form = new URLSearchParams({
    title,
    description: body,
    pass_through: '0',
    notify_type: '-1',
    notify_id: notifyIdOf(message.options?.collapseKey ?? message.messageId),
  });
  if (config.packageName) form.set('restricted_package_name', config.packageName);
  if (data && Object.keys(data).length > 0) form.set('payload', JSON.stringify(data));
  const ttl = message.options?.ttlSeconds;
  if (ttl !== undefined) form.set('time_to_live', String(Math.max(0, Math.min(MAX_TTL_MS, Math.floor(ttl * 1000)))));
  // notify_effect 3 opens a web page, 1 the app's launcher activity.
  if (url) {
    form.set('extra.notify_effect', '3');
    form.set('extra.web_uri', url);
  } else {
    form.set('extra.notify_effect', '1');
  }
  if (config.channelId) form.set('extra.channel_id', config.channelId);
  if (config.receiptUrl) {
    form.set('extra.callback', config.receiptUrl);
    form.set('extra.callback.type', String(XIAOMI_RECEIPT_TYPES));
  }
  return form;
}

function answerError(res: HttpResponse, a: XiaomiAnswer | undefined): DeliveryError {
  const code = a?.code;
  if (typeof code !== 'number') {
    if (isSuccess(res.status)) return new DeliveryError(DeliveryErrorType.Unavailable, `xiaomi: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
    return errorForStatus('xiaomi', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
  }
  const detail = `xiaomi code ${code}: ${a?.reason ?? ''} ${a?.description ?? ''}`.trim();
  if (RATE_LIMITED.has(code) || res.status === 429) return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: 60_000 });
  if (BUSY_ERRORS.has(code) || res.status >= 500) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (CONFIG_ERRORS.has(code) || res.status === 401 || res.status === 403) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  if (RECIPIENT_ERRORS.has(code) || /no valid targets/i.test(a?.reason ?? '')) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
  if (CONTENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.Content, detail, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
}

export function createXiaomiPushAdapter(): ChannelAdapter<XiaomiPushConfig, PushMessage> {
  return {
    kind: 'xiaomi-push',
    channel: 'push',
    limits: LIMITS,
    measure: (message) => ({ title: message.content.title, description: message.content.body }),

    configSchema: ConfigSchema,

    async send(message: PushMessage, config: XiaomiPushConfig): Promise<SendResult> {
      requireChannel(message.channel, 'push', 'xiaomi-push');
      const secret = requireConfig(config.appSecret, 'xiaomi-push', 'appSecret');
      requireConfig(config.packageName, 'xiaomi-push', 'packageName');
      const to = message.to;
      if (typeof to !== 'string' || !/^[A-Za-z0-9+/=_-]{20,256}$/.test(to)) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'xiaomi-push: the target is not a MiPush registration id', { code: 'EINVALIDREGID' });
      }
      enforceLimits('xiaomi-push', LIMITS, { title: message.content.title, description: message.content.body });
      const form = formOf(message, config);
      form.set('registration_id', to);
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: joinUrl(config.baseUrl ?? XIAOMI_PUSH_API, '/v3/message/regid'),
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json', authorization: `key=${secret}` },
        body: form.toString(),
        timeoutMs: config.timeoutMs,
      });
      const answer = parseJson(res.text) as XiaomiAnswer | undefined;
      if (isSuccess(res.status) && answer?.result === 'ok' && answer.code === 0) {
        if (answer.data?.bad_regids?.split(',').includes(to)) {
          throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'xiaomi: the registration id is not a device of this app', { code: 'bad_regids' });
        }
        return { providerMessageId: answer.data?.id ?? null };
      }
      throw answerError(res, answer);
    },

    async close(): Promise<void> {},
  };
}
