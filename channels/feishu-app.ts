// Feishu/Lark app (bot) message to one user: the app's tenant_access_token from
// `POST /open-apis/auth/v3/tenant_access_token/internal` {app_id, app_secret} (cached until
// shortly before it expires, shared by concurrent sends, fetched again when Feishu calls it
// invalid), then `POST /open-apis/im/v1/messages?receive_id_type=open_id|user_id|union_id`
// with `Authorization: Bearer <token>` and an interactive card. The answer's
// `data.message_id` is the provider message id, which `DELETE /open-apis/im/v1/messages/{id}`
// takes back. Feishu answers `{code, msg}`: HTTP 200 with code 0, else mostly HTTP 400 (429 when
// rate limited) with the code saying why.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { callWithToken, createTokenCache, tokenKey, type FetchedToken } from './access-token.js';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { feishuCard } from './feishu-bot.js';
import { errorForStatus, httpRequest, joinUrl, parseJson, parseRetryAfter, requireChannel, requireConfig, truncate, type HttpResponse } from './http.js';
import { enforceLimits } from './limits.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export type FeishuReceiveIdType = 'open_id' | 'user_id' | 'union_id';

export interface FeishuAppConfig extends OutboundSettings {
  /** The self-built app's App ID (`cli_…`). */
  appId: string;
  appSecret: string;
  /** What the users' `feishu` identity holds: `open_id` (default, `ou_…`), `user_id` or `union_id`. */
  receiveIdType?: FeishuReceiveIdType | undefined;
  /** Default `https://open.feishu.cn`; `https://open.larksuite.com` for Lark. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

const ConfigSchema = z.strictObject({
  appId: z.string().min(1).max(64).meta({ description: "The self-built app's App ID (`cli_…`)." }),
  appSecret: secret(z.string().min(1).max(256), "The app's App Secret."),
  receiveIdType: z.enum(['open_id', 'user_id', 'union_id']).optional().meta({ description: "What the users' `feishu` identity holds: `open_id` (default, `ou_…`), `user_id` or `union_id`." }),
  baseUrl: httpUrl('Default `https://open.feishu.cn`; `https://open.larksuite.com` for Lark.').optional(),
  timeoutMs,
});

interface FeishuAnswer {
  code?: number;
  msg?: string;
  tenant_access_token?: string;
  expire?: number;
  data?: { message_id?: string };
}

interface Answered {
  res: HttpResponse;
  answer: FeishuAnswer | undefined;
}

export const FEISHU_OPEN_API = 'https://open.feishu.cn';

/**
 * A card's request body is limited to 30 KB; `content` is the card as the JSON string sent.
 * The API allows 50 calls per second per app (and 5 per second to one user).
 */
const LIMITS: ChannelLimits = { lengths: [{ field: 'content', unit: 'bytes', max: 30 * 1024 }], ratePerSecond: 50, supportsRecall: true, supportsReceipts: false };

// 99991663 invalid tenant_access_token, 99991668 invalid access token, 99991677 token expired: fetch a new one, try once more.
const TOKEN_REFUSED = new Set([99991663, 99991668, 99991677]);
// 99991400 the app's request rate, 230020 the conversation's message rate.
const RATE_LIMITED = new Set([99991400, 230020]);
// 99991661 no Authorization, 99991672 a scope the app lacks, 99991401 caller IP not allowed, 230006 the app's bot ability is off.
const CONFIG_ERRORS = new Set([99991661, 99991672, 99991401, 230006]);
// 230013 the user is outside the app's availability range.
const RECIPIENT_ERRORS = new Set([230013]);
// 230025 content too long, 230099 the card could not be built from the content.
const CONTENT_ERRORS = new Set([230025, 230099]);

function rateRetryMs(res: HttpResponse): number {
  // Feishu's gateway says when the window resets (seconds) in x-ogw-ratelimit-reset.
  return parseRetryAfter(res.headers.get('x-ogw-ratelimit-reset')) ?? parseRetryAfter(res.headers.get('retry-after')) ?? 1_000;
}

function answerError(what: string, { res, answer }: Answered): DeliveryError {
  const code = answer?.code;
  if (typeof code !== 'number') {
    if (res.status >= 200 && res.status < 300) return new DeliveryError(DeliveryErrorType.Unavailable, `feishu ${what}: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
    return errorForStatus(`feishu ${what}`, res, res.text, { goneType: DeliveryErrorType.ProviderConfig, retryAfterMs: res.status === 429 ? rateRetryMs(res) : undefined });
  }
  const detail = `feishu ${what} code ${code}: ${answer?.msg ?? ''}`;
  if (RATE_LIMITED.has(code) || res.status === 429) return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: rateRetryMs(res) });
  if (res.status >= 500) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  // Refused again with a token fetched a moment ago: Feishu's side, worth another attempt later.
  if (TOKEN_REFUSED.has(code)) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (CONFIG_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  if (RECIPIENT_ERRORS.has(code) || (code === 230001 && /receive_id/i.test(answer?.msg ?? ''))) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
  if (CONTENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.Content, detail, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
}

/** Feishu drops a second message with the same uuid within an hour; at most 50 characters. */
function dedupeUuid(messageId: string): string {
  // The ledger's ids come as Message-ID style `<dlv_…@host>`: the delivery id is the key.
  const id = /^<([^@>]+)@[^>]*>$/.exec(messageId)?.[1] ?? messageId;
  return id.length <= 50 ? id : createHash('sha256').update(id).digest('hex').slice(0, 50);
}

export function createFeishuAppAdapter(): ChannelAdapter<FeishuAppConfig, ChatMessage> {
  const tokens = createTokenCache();

  async function request(config: FeishuAppConfig, method: 'POST' | 'DELETE', url: string, body: unknown, token?: string): Promise<Answered> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const res = await httpRequest({ outbound: outboundPolicyOf(config), url, method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: config.timeoutMs });
    return { res, answer: parseJson(res.text) as FeishuAnswer | undefined };
  }

  /** Calls an Open API method with the app's token, refreshing it once if Feishu refuses it. */
  async function call(config: FeishuAppConfig, what: string, method: 'POST' | 'DELETE', pathAndQuery: string, body: unknown): Promise<FeishuAnswer> {
    const appId = requireConfig(config.appId, 'feishu-app', 'appId');
    const appSecret = requireConfig(config.appSecret, 'feishu-app', 'appSecret');
    const base = config.baseUrl ?? FEISHU_OPEN_API;
    const fetchToken = async (): Promise<FetchedToken> => {
      const got = await request(config, 'POST', joinUrl(base, '/open-apis/auth/v3/tenant_access_token/internal'), { app_id: appId, app_secret: appSecret });
      if (got.answer?.code !== 0 || !got.answer.tenant_access_token) {
        const err = answerError('tenant_access_token', got);
        // Wrong app credentials come back as a plain refusal: the config, not the message.
        if (err.type === DeliveryErrorType.Rejected || err.type === DeliveryErrorType.InvalidRecipient) throw new DeliveryError(DeliveryErrorType.ProviderConfig, err.message, { code: err.code });
        throw err;
      }
      return { token: got.answer.tenant_access_token, expiresInSeconds: got.answer.expire ?? 7200 };
    };
    const got = await callWithToken(
      tokens,
      tokenKey(base, appId, appSecret),
      fetchToken,
      (token) => request(config, method, joinUrl(base, pathAndQuery), body, token),
      (a) => TOKEN_REFUSED.has(a.answer?.code ?? 0),
    );
    if (got.answer?.code !== 0 || got.res.status >= 300) throw answerError(what, got);
    return got.answer;
  }

  const contentOf = (message: ChatMessage) => JSON.stringify(feishuCard(message));

  return {
    kind: 'feishu-app',
    channel: 'chat',
    limits: LIMITS,
    measure: (message) => ({ content: contentOf(message) }),

    configSchema: ConfigSchema,

    async send(message: ChatMessage, config: FeishuAppConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'feishu-app');
      if (!message.to || /\s/.test(message.to) || message.to.length > 128) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `feishu-app: ${JSON.stringify(message.to)} is not a Feishu user id`, { code: 'EINVALIDUSER' });
      }
      const content = contentOf(message);
      enforceLimits('feishu-app', LIMITS, { content });
      const receiveIdType = config.receiveIdType ?? 'open_id';
      const answer = await call(config, 'im/v1/messages', 'POST', `/open-apis/im/v1/messages?${new URLSearchParams({ receive_id_type: receiveIdType })}`, {
        receive_id: message.to,
        msg_type: 'interactive',
        content,
        // A retried send after a lost answer is not shown twice.
        uuid: dedupeUuid(message.messageId),
      });
      const id = answer.data?.message_id;
      if (!id) throw new DeliveryError(DeliveryErrorType.Unavailable, 'feishu im/v1/messages: answer without a message_id', { code: 'EBADANSWER' });
      return { providerMessageId: id };
    },

    async recall(providerMessageId: string, config: FeishuAppConfig): Promise<void> {
      if (!/^om_[A-Za-z0-9_-]{1,120}$/.test(providerMessageId)) {
        throw new DeliveryError(DeliveryErrorType.Rejected, `feishu recall: ${providerMessageId} is not a message id`, { code: 'EBADID' });
      }
      await call(config, 'recall', 'DELETE', `/open-apis/im/v1/messages/${encodeURIComponent(providerMessageId)}`, undefined);
    },

    async close(): Promise<void> {
      tokens.clear();
    },
  };
}
