// WeCom (WeChat Work) app message to one member: the app's access token from
// `GET /cgi-bin/gettoken?corpid&corpsecret` (cached until shortly before it expires), then
// `POST /cgi-bin/message/send?access_token=` with touser, agentid and a markdown (or text)
// message. The answer's msgid is the provider message id, which `POST /cgi-bin/message/recall`
// takes back (within 24 hours). WeCom answers HTTP 200 with `errcode` in the body.
import { z } from 'zod';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { callWithToken, createTokenCache, requestErrcodeJson, tokenKey, type FetchedToken } from './access-token.js';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { joinUrl, requireChannel, requireConfig } from './http.js';
import { enforceLimits } from './limits.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import type { OutboundSettings } from './outbound-guard.js';

export interface WecomAppConfig extends OutboundSettings {
  /** The enterprise's CorpID. */
  corpId: string;
  /** The app's Secret. */
  corpSecret: string;
  /** The app's AgentId. */
  agentId: number | string;
  /** `markdown` (default; shown in the WeCom client) or `text` (also reaches members who read WeCom through WeChat). */
  msgtype?: 'markdown' | 'text' | undefined;
  /** Default `https://qyapi.weixin.qq.com`. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

const ConfigSchema = z.strictObject({
  corpId: z.string().min(1).max(64).meta({ description: "The enterprise's CorpID." }),
  corpSecret: secret(z.string().min(1).max(256), "The app's Secret."),
  agentId: z.union([z.number().int().positive(), z.string().regex(/^\d{1,18}$/, 'the numeric AgentId')]).meta({ description: "The app's AgentId." }),
  msgtype: z.enum(['markdown', 'text']).optional().meta({ description: '`markdown` (default; shown in the WeCom client) or `text` (also reaches members who read WeCom through WeChat).' }),
  baseUrl: httpUrl('Default `https://qyapi.weixin.qq.com`.').optional(),
  timeoutMs,
});

interface WecomAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  msgid?: string;
  invaliduser?: string;
}

export const WECOM_API = 'https://qyapi.weixin.qq.com';
/** Both markdown.content and text.content are limited to 2048 UTF-8 bytes. */
const LIMITS: ChannelLimits = { lengths: [{ field: 'content', unit: 'bytes', max: 2048 }], supportsRecall: true, supportsReceipts: false };

function contentOf(message: ChatMessage, msgtype: 'markdown' | 'text'): string {
  if (msgtype === 'text') return message.content.title ? `${message.content.title}\n${message.content.markdown}` : message.content.markdown;
  const content = renderMarkdown(message.content.markdown, 'wecom');
  return message.content.title ? `## ${message.content.title}\n${content}` : content;
}

// 40014 invalid access_token, 42001 access_token expired: fetch a new one and try once more.
const TOKEN_REFUSED = new Set([40014, 42001]);
// 45009 API call frequency over the limit, 45033 too many concurrent calls, 45047 too many messages to one member.
const RATE_LIMITED = new Set([45009, 45033, 45047]);
// -1 system busy, 6000 data version conflict.
const BUSY = new Set([-1, 6000]);
// 40001 wrong secret, 40013 wrong corpid, 40056/301002 wrong agentid or app not visible, 48002 API forbidden, 60020 server IP not allowlisted, 41001 token missing.
const CONFIG_ERRORS = new Set([40001, 40013, 40056, 301002, 48002, 60020, 41001, 40091, 41004]);
// 81013 every recipient invalid or out of the app's visible range, 60111 userid not found, 40031 invalid user list.
const RECIPIENT_ERRORS = new Set([81013, 60111, 40031]);

function agentIdOf(config: WecomAppConfig): number {
  const raw = requireConfig(config.agentId, 'wecom-app', 'agentId');
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'wecom-app: agentId must be the numeric AgentId', { code: 'ECONFIG' });
  return n;
}

function answerError(what: string, a: WecomAnswer): DeliveryError {
  const code = a.errcode ?? -1;
  const detail = `wecom ${what} errcode ${code}: ${a.errmsg ?? ''}`;
  if (BUSY.has(code)) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (RATE_LIMITED.has(code)) return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: 60_000 });
  // Refused again with a token fetched a moment ago: WeCom's side, worth another attempt later.
  if (TOKEN_REFUSED.has(code)) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (CONFIG_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  if (RECIPIENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
}

export function createWecomAppAdapter(): ChannelAdapter<WecomAppConfig, ChatMessage> {
  const tokens = createTokenCache();

  const request = (config: WecomAppConfig, what: string, url: string, body?: unknown) => requestErrcodeJson<WecomAnswer>('wecom', what, url, body, config);

  async function call(config: WecomAppConfig, what: string, path: string, body: unknown): Promise<WecomAnswer> {
    const corpId = requireConfig(config.corpId, 'wecom-app', 'corpId');
    const corpSecret = requireConfig(config.corpSecret, 'wecom-app', 'corpSecret');
    const base = config.baseUrl ?? WECOM_API;
    const fetchToken = async (): Promise<FetchedToken> => {
      const a = await request(config, 'gettoken', `${joinUrl(base, '/cgi-bin/gettoken')}?${new URLSearchParams({ corpid: corpId, corpsecret: corpSecret })}`);
      if (a.errcode !== 0 || !a.access_token) throw answerError('gettoken', a);
      return { token: a.access_token, expiresInSeconds: a.expires_in ?? 7200 };
    };
    const answer = await callWithToken(
      tokens,
      tokenKey(base, corpId, corpSecret),
      fetchToken,
      (token) => request(config, what, `${joinUrl(base, path)}?${new URLSearchParams({ access_token: token })}`, body),
      (a) => TOKEN_REFUSED.has(a.errcode ?? 0),
    );
    if (answer.errcode !== 0) throw answerError(what, answer);
    return answer;
  }

  return {
    kind: 'wecom-app',
    channel: 'chat',
    limits: LIMITS,
    measure: (message, config) => ({ content: contentOf(message, config?.msgtype ?? 'markdown') }),

    configSchema: ConfigSchema,

    async send(message: ChatMessage, config: WecomAppConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'wecom-app');
      const agentId = agentIdOf(config);
      // touser is `|`-separated and `@all` is every member: one user id must be neither.
      if (!message.to || /[|\s]/.test(message.to) || message.to.toLowerCase() === '@all' || message.to.length > 64) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `wecom-app: ${JSON.stringify(message.to)} is not a WeCom userid`, { code: 'EINVALIDUSER' });
      }
      const msgtype = config.msgtype ?? 'markdown';
      const content = contentOf(message, msgtype);
      enforceLimits('wecom-app', LIMITS, { content });
      const answer = await call(config, 'message/send', '/cgi-bin/message/send', { touser: message.to, msgtype, agentid: agentId, [msgtype]: { content } });
      // A partly invalid recipient list still answers errcode 0 and names the invalid ones.
      if (answer.invaliduser && answer.invaliduser.split('|').includes(message.to)) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `wecom message/send: ${message.to} is not a member the app can reach`, { code: 'invaliduser' });
      }
      if (!answer.msgid) throw new DeliveryError(DeliveryErrorType.Unavailable, 'wecom message/send: answer without a msgid', { code: 'EBADANSWER' });
      return { providerMessageId: answer.msgid };
    },

    async recall(providerMessageId: string, config: WecomAppConfig): Promise<void> {
      if (!providerMessageId) throw new DeliveryError(DeliveryErrorType.Rejected, 'wecom recall: no msgid', { code: 'EBADID' });
      await call(config, 'message/recall', '/cgi-bin/message/recall', { msgid: providerMessageId });
    },

    async close(): Promise<void> {
      tokens.clear();
    },
  };
}
