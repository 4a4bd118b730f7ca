// DingTalk work notice (工作通知) from a corp internal app to one member: the app's access
// token from `GET /gettoken?appkey&appsecret` (cached until shortly before it expires), then
// `POST /topapi/message/corpconversation/asyncsend_v2?access_token=` with agent_id,
// userid_list and a markdown msg. The answer's task_id is the provider message id, which
// `POST /topapi/message/corpconversation/recall` takes back. DingTalk answers HTTP 200 with
// `errcode` in the body.
import { z } from 'zod';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { callWithToken, createTokenCache, requestErrcodeJson, tokenKey, type FetchedToken } from './access-token.js';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { joinUrl, requireChannel, requireConfig } from './http.js';
import { enforceLimits } from './limits.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import type { OutboundSettings } from './outbound-guard.js';

export interface DingtalkWorkNoticeConfig extends OutboundSettings {
  /** The internal app's AppKey (Client ID). */
  appKey: string;
  /** The internal app's AppSecret (Client Secret). */
  appSecret: string;
  /** The app's AgentId. */
  agentId: number | string;
  /** Default `https://oapi.dingtalk.com`. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

const ConfigSchema = z.strictObject({
  appKey: z.string().min(1).max(128).meta({ description: "The internal app's AppKey (Client ID)." }),
  appSecret: secret(z.string().min(1).max(256), "The internal app's AppSecret (Client Secret)."),
  agentId: z.union([z.number().int().positive(), z.string().regex(/^\d{1,18}$/, 'the numeric AgentId')]).meta({ description: "The app's AgentId." }),
  baseUrl: httpUrl('Default `https://oapi.dingtalk.com`.').optional(),
  timeoutMs,
});

interface DingtalkAnswer {
  errcode?: number;
  errmsg?: string;
  sub_code?: string;
  sub_msg?: string;
  access_token?: string;
  expires_in?: number;
  task_id?: number | string;
}

export const DINGTALK_OAPI = 'https://oapi.dingtalk.com';
/** asyncsend_v2 documents `msg` as at most 2048 bytes. */
const LIMITS: ChannelLimits = { lengths: [{ field: 'msg', unit: 'bytes', max: 2048 }], supportsRecall: true, supportsReceipts: true };

function msgOf(message: ChatMessage): { msgtype: 'markdown'; markdown: { title: string; text: string } } {
  const title = message.content.title || message.content.markdown.split('\n')[0]?.slice(0, 64) || 'Notification';
  let text = renderMarkdown(message.content.markdown, 'dingtalk');
  if (message.content.title) text = `### ${message.content.title}\n\n${text}`;
  return { msgtype: 'markdown', markdown: { title, text } };
}

// 40014 invalid access_token, 42001 access_token expired; errcode 88 carries them as sub_code.
const TOKEN_REFUSED = new Set([40014, 42001]);
// 90002/90018 calls from this server blocked for a while, 90005/90006 per-minute/per-second call limits.
const RATE_LIMITED = new Set([90002, 90005, 90006, 90018]);
// 40089 wrong appkey/appsecret, 40056 wrong agentid, 60020 server IP not allowlisted, 60011 no permission (as sub_code of 88), 33001 invalid corp.
const CONFIG_ERRORS = new Set([40089, 40056, 60020, 60011, 33001, 71006]);

function tokenRefused(a: DingtalkAnswer | undefined): boolean {
  if (!a) return false;
  return TOKEN_REFUSED.has(a.errcode ?? 0) || (a.errcode === 88 && TOKEN_REFUSED.has(Number(a.sub_code)));
}

export function agentIdOf(config: DingtalkWorkNoticeConfig): number {
  const raw = requireConfig(config.agentId, 'dingtalk-work-notice', 'agentId');
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'dingtalk-work-notice: agentId must be the numeric AgentId', { code: 'ECONFIG' });
  return n;
}

/** An errcode answer (non-zero) as a DeliveryError. */
function answerError(what: string, a: DingtalkAnswer): DeliveryError {
  const code = a.errcode ?? -1;
  const sub = a.sub_code ? ` [${a.sub_code}: ${a.sub_msg ?? ''}]` : '';
  const detail = `dingtalk ${what} errcode ${code}: ${a.errmsg ?? ''}${sub}`;
  if (code === -1) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (RATE_LIMITED.has(code)) return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: 60_000 });
  // A token refused twice in a row (once just fetched): DingTalk's side, worth another attempt later.
  if (tokenRefused(a)) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
  if (code === 88 || CONFIG_ERRORS.has(code) || CONFIG_ERRORS.has(Number(a.sub_code))) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
}

/** Calls oapi methods with an app's token, cached per app and fetched again once when DingTalk refuses it. */
export interface DingtalkCaller {
  call(config: DingtalkWorkNoticeConfig, what: string, path: string, body: unknown): Promise<DingtalkAnswer & Record<string, unknown>>;
  close(): void;
}

export function createDingtalkCaller(): DingtalkCaller {
  const tokens = createTokenCache();

  const request = (config: DingtalkWorkNoticeConfig, what: string, url: string, body?: unknown) => requestErrcodeJson<DingtalkAnswer & Record<string, unknown>>('dingtalk', what, url, body, config);

  /** Calls an oapi method with the app's token, refreshing it once if DingTalk refuses it. */
  async function call(config: DingtalkWorkNoticeConfig, what: string, path: string, body: unknown): Promise<DingtalkAnswer & Record<string, unknown>> {
    const appKey = requireConfig(config.appKey, 'dingtalk-work-notice', 'appKey');
    const appSecret = requireConfig(config.appSecret, 'dingtalk-work-notice', 'appSecret');
    const base = config.baseUrl ?? DINGTALK_OAPI;
    const fetchToken = async (): Promise<FetchedToken> => {
      const a = await request(config, 'gettoken', `${joinUrl(base, '/gettoken')}?${new URLSearchParams({ appkey: appKey, appsecret: appSecret })}`);
      if (a.errcode !== 0 || !a.access_token) throw answerError('gettoken', a);
      return { token: a.access_token, expiresInSeconds: a.expires_in ?? 7200 };
    };
    const answer = await callWithToken(
      tokens,
      tokenKey(base, appKey, appSecret),
      fetchToken,
      (token) => request(config, what, `${joinUrl(base, path)}?${new URLSearchParams({ access_token: token })}`, body),
      tokenRefused,
    );
    if (answer.errcode !== 0) throw answerError(what, answer);
    return answer;
  }

  return { call, close: () => tokens.clear() };
}

export function createDingtalkWorkNoticeAdapter(): ChannelAdapter<DingtalkWorkNoticeConfig, ChatMessage> {
  const { call, close } = createDingtalkCaller();

  return {
    kind: 'dingtalk-work-notice',
    channel: 'chat',
    limits: LIMITS,
    measure: (message) => ({ msg: JSON.stringify(msgOf(message)) }),

    configSchema: ConfigSchema,

    async send(message: ChatMessage, config: DingtalkWorkNoticeConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'dingtalk-work-notice');
      const agentId = agentIdOf(config);
      // userid_list is comma-separated: a comma in one id would address other members.
      if (!message.to || /[,\s]/.test(message.to) || message.to.length > 64) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `dingtalk-work-notice: ${JSON.stringify(message.to)} is not a DingTalk userid`, { code: 'EINVALIDUSER' });
      }
      const msg = msgOf(message);
      enforceLimits('dingtalk-work-notice', LIMITS, { msg: JSON.stringify(msg) });
      const answer = await call(config, 'asyncsend_v2', '/topapi/message/corpconversation/asyncsend_v2', { agent_id: agentId, userid_list: message.to, msg });
      if (answer.task_id === undefined || answer.task_id === null || answer.task_id === '') {
        throw new DeliveryError(DeliveryErrorType.Unavailable, 'dingtalk asyncsend_v2: answer without a task_id', { code: 'EBADANSWER' });
      }
      return { providerMessageId: String(answer.task_id) };
    },

    async recall(providerMessageId: string, config: DingtalkWorkNoticeConfig): Promise<void> {
      const agentId = agentIdOf(config);
      const taskId = Number(providerMessageId);
      if (!/^\d{1,18}$/.test(providerMessageId) || !Number.isSafeInteger(taskId)) {
        throw new DeliveryError(DeliveryErrorType.Rejected, `dingtalk recall: ${providerMessageId} is not a work-notice task id`, { code: 'EBADID' });
      }
      await call(config, 'recall', '/topapi/message/corpconversation/recall', { agent_id: agentId, msg_task_id: taskId });
    },

    async close(): Promise<void> {
      close();
    },
  };
}
