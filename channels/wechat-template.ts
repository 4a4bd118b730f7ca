// WeChat Official Account template message (公众号模板消息) to one follower: the account's
// access token from `POST /cgi-bin/stable_token` (the stable token: every worker that asks gets
// the same one while it is valid, so one worker's fetch never invalidates another's, unlike
// `/cgi-bin/token`), cached until shortly before it expires and fetched again once when WeChat
// refuses it; then `POST /cgi-bin/message/template/send?access_token=` with touser (the
// follower's openid), template_id, url and `data: {key: {value}}`. The answer's msgid is the
// provider message id. WeChat answers HTTP 200 with `errcode` in the body.
//
// The content is a push message: `data` fills the template's keys, and the config may map the
// title and body onto keys too (`titleKey`, `bodyKey`); `url` is where a tap goes. Category
// templates limit each value by its key's type (thing ≤ 20 characters, …), declared below.
import { z } from 'zod';
import { callWithToken, createTokenCache, requestErrcodeJson, tokenKey, type FetchedToken } from './access-token.js';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { receiptTokenField } from './sms-reports.js';
import { wechatServerToken } from './wechat-events.js';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, joinUrl, parseJson, requireChannel, requireConfig, truncate } from './http.js';
import { enforceLimits } from './limits.js';
import type { ChannelAdapter, ChannelLimits, Measured, PushMessage, SendResult } from './types.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface WechatTemplateConfig extends OutboundSettings {
  /** The Official Account's AppID (`wx…`). */
  appId: string;
  appSecret: string;
  /** The template chosen in the account's template library. */
  templateId: string;
  /** The template key the push title fills, e.g. `thing1`; absent: the title is not sent. */
  titleKey?: string | undefined;
  /** The template key the push body fills, e.g. `thing2`; absent: the body is not sent. */
  bodyKey?: string | undefined;
  /** Default `https://api.weixin.qq.com`. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** Makes the receipt URL unguessable (channels/sms-reports.ts). */
  receiptToken?: string | undefined;
  /** The server configuration's Token, which signs WeChat's event pushes. */
  serverToken?: string | undefined;
}

const TEMPLATE_KEY = /^[a-z_]+\d*$/;

const ConfigSchema = z.strictObject({
  appId: z.string().regex(/^wx[0-9a-f]{16}$/, 'the AppID (wx and 16 hex digits)').meta({ description: "The Official Account's AppID (`wx…`)." }),
  appSecret: secret(z.string().regex(/^[0-9a-f]{32}$/, 'the 32-character AppSecret'), "The Official Account's AppSecret."),
  templateId: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, 'a template id from the template library').meta({ description: "The template chosen in the account's template library." }),
  titleKey: z.string().regex(TEMPLATE_KEY, 'a template key such as thing1').optional().meta({ description: 'The template key the push title fills, e.g. `thing1`; absent: the title is not sent.' }),
  bodyKey: z.string().regex(TEMPLATE_KEY, 'a template key such as thing2').optional().meta({ description: 'The template key the push body fills, e.g. `thing2`; absent: the body is not sent.' }),
  baseUrl: httpUrl('Default `https://api.weixin.qq.com`.').optional(),
  timeoutMs,
  receiptToken: receiptTokenField('<HERALD_PUBLIC_URL>/v1/receipts/<provider id>/wechat/<receiptToken>'),
  serverToken: wechatServerToken,
});

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  msgid?: number | string;
}

export const WECHAT_API = 'https://api.weixin.qq.com';

/**
 * Category templates type each key by its name's prefix and limit its value: measured as the
 * longest value of each type. The API allows the account a daily quota (100,000 by default)
 * rather than a per-second rate.
 */
const VALUE_TYPES = ['thing', 'character_string', 'phrase', 'number', 'letter', 'amount', 'car_number', 'name', 'phone_number'] as const;
const LIMITS: ChannelLimits = {
  lengths: [
    { field: 'thing', unit: 'chars', max: 20 },
    { field: 'character_string', unit: 'chars', max: 32 },
    { field: 'phrase', unit: 'chars', max: 5 },
    { field: 'number', unit: 'chars', max: 32 },
    { field: 'letter', unit: 'chars', max: 32 },
    { field: 'amount', unit: 'chars', max: 32 },
    { field: 'car_number', unit: 'chars', max: 8 },
    { field: 'name', unit: 'chars', max: 10 },
    { field: 'phone_number', unit: 'chars', max: 17 },
  ],
  supportsRecall: false,
  supportsReceipts: true,
};

// 40001 invalid credential (token), 40014 invalid access_token, 42001 access_token expired: fetch again, try once more.
const TOKEN_REFUSED = new Set([40001, 40014, 42001]);
// 45009 the daily quota of this API is spent, 45011 called too often.
const RATE_LIMITED = new Set([45009, 45011]);
// 40013 invalid AppID, 40125 invalid AppSecret, 40164 the server IP is not allowlisted, 48001 API not authorised, 40037 unknown template_id, 41001 token missing, 89503/89506 IP needs approval.
const CONFIG_ERRORS = new Set([40013, 40125, 40164, 48001, 40037, 41001, 89503, 89506]);
// 40003 an openid of no follower of this account, 43004 the user unfollowed, 43019 the user blocked the account, 43101 the user refuses the messages.
const RECIPIENT_ERRORS = new Set([40003, 43004, 43019, 43101]);
// 47003 a data value is invalid for its key (too long, wrong type).
const CONTENT_ERRORS = new Set([47003]);

function answerError(what: string, a: WechatAnswer): DeliveryError {
  const code = a.errcode ?? -1;
  const detail = `wechat ${what} errcode ${code}: ${a.errmsg ?? ''}`;
  if (code === -1) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (RATE_LIMITED.has(code)) return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: 60_000 });
  // Refused again with a token fetched a moment ago: WeChat's side, worth another attempt later.
  if (TOKEN_REFUSED.has(code)) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (CONFIG_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  if (RECIPIENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
  if (CONTENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.Content, detail, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
}

/** The template's `data` values: the message's data, with the title and body on their configured keys. */
function valuesOf(message: PushMessage, config: Partial<WechatTemplateConfig> | undefined): Record<string, string> {
  const values: Record<string, string> = { ...message.content.data };
  if (config?.titleKey) values[config.titleKey] = message.content.title;
  if (config?.bodyKey) values[config.bodyKey] = message.content.body;
  return values;
}

/** The longest value of each typed key (`thing3` is a thing). */
function measureValues(values: Record<string, string>): Measured {
  const out: Measured = {};
  for (const [key, value] of Object.entries(values)) {
    const type = VALUE_TYPES.find((t) => new RegExp(`^${t}\\d+$`).test(key));
    if (type && [...value].length > [...(out[type] ?? '')].length) out[type] = value;
  }
  return out;
}

/** The delivery id inside a Message-ID style `<id@host>`, as a short dedupe key; else the id as given. */
function deliveryIdOf(messageId: string): string {
  return /^<([^@>]+)@[^>]*>$/.exec(messageId)?.[1] ?? messageId;
}

export function createWechatTemplateAdapter(): ChannelAdapter<WechatTemplateConfig, PushMessage> {
  const tokens = createTokenCache();
  const request = (config: WechatTemplateConfig, what: string, url: string, body: unknown) => requestErrcodeJson<WechatAnswer>('wechat', what, url, body, config);

  async function call(config: WechatTemplateConfig, what: string, path: string, body: unknown): Promise<WechatAnswer> {
    const appId = requireConfig(config.appId, 'wechat-template', 'appId');
    const appSecret = requireConfig(config.appSecret, 'wechat-template', 'appSecret');
    const base = config.baseUrl ?? WECHAT_API;
    const fetchToken = async (): Promise<FetchedToken> => {
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: joinUrl(base, '/cgi-bin/stable_token'),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credential', appid: appId, secret: appSecret, force_refresh: false }),
        timeoutMs: config.timeoutMs,
      });
      if (!isSuccess(res.status)) throw errorForStatus('wechat stable_token', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
      // Success carries no errcode: just the token and its lifetime.
      const a = parseJson(res.text) as WechatAnswer | undefined;
      if (!a || (a.errcode ?? 0) !== 0 || !a.access_token) throw answerError('stable_token', a ?? { errcode: -1, errmsg: `unexpected answer ${truncate(res.text)}` });
      return { token: a.access_token, expiresInSeconds: a.expires_in ?? 7200 };
    };
    const answer = await callWithToken(
      tokens,
      tokenKey(base, appId, appSecret),
      fetchToken,
      (token) => request(config, what, `${joinUrl(base, path)}?${new URLSearchParams({ access_token: token })}`, body),
      (a) => TOKEN_REFUSED.has(a.errcode ?? 0),
    );
    if (answer.errcode !== 0) throw answerError(what, answer);
    return answer;
  }

  return {
    kind: 'wechat-template',
    channel: 'push',
    limits: LIMITS,
    measure: (message, config) => measureValues(valuesOf(message, config)),

    configSchema: ConfigSchema,

    async send(message: PushMessage, config: WechatTemplateConfig): Promise<SendResult> {
      requireChannel(message.channel, 'push', 'wechat-template');
      const templateId = requireConfig(config.templateId, 'wechat-template', 'templateId');
      const openid = message.to;
      if (typeof openid !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(openid)) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'wechat-template: the target is not an openid', { code: 'EINVALIDOPENID' });
      }
      const values = valuesOf(message, config);
      if (Object.keys(values).length === 0) {
        throw new DeliveryError(DeliveryErrorType.Content, 'wechat-template: nothing fills the template (no data, and no titleKey or bodyKey)', { code: 'ENODATA' });
      }
      enforceLimits('wechat-template', LIMITS, measureValues(values));
      const data = Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }]));
      const body: Record<string, unknown> = { touser: openid, template_id: templateId, data, client_msg_id: deliveryIdOf(message.messageId).slice(0, 64) };
      if (message.content.url) body.url = message.content.url;
      const answer = await call(config, 'message/template/send', '/cgi-bin/message/template/send', body);
      if (answer.msgid === undefined || answer.msgid === null || answer.msgid === '') {
        throw new DeliveryError(DeliveryErrorType.Unavailable, 'wechat message/template/send: answer without a msgid', { code: 'EBADANSWER' });
      }
      return { providerMessageId: String(answer.msgid) };
    },

    async close(): Promise<void> {
      tokens.clear();
    },
  };
}
