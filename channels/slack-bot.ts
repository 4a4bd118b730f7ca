// Slack bot direct message: `POST /api/chat.postMessage` with `Authorization: Bearer xoxb-…`
// and `channel` set to the member's user id (Slack opens the app's DM with them). Slack answers
// HTTP 200 with `{ok, error}`: the `error` code classifies a failure, except rate limiting,
// which is HTTP 429 with Retry-After. The answer's DM channel and `ts` are the provider message
// id, which `POST /api/chat.delete` takes back. A bot token does not expire unless the app opts
// into token rotation, so there is no token to fetch or cache: `token_expired` and a revoked
// token are configuration errors.
import { z } from 'zod';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, joinUrl, parseJson, parseRetryAfter, requireChannel, requireConfig, truncate, type HttpResponse } from './http.js';
import { enforceLimits } from './limits.js';
import { slackText } from './slack.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface SlackBotConfig extends OutboundSettings {
  /** The app's bot user OAuth token (`xoxb-…`) with the `chat:write` scope. */
  botToken: string;
  /** Default `https://slack.com`; a test receiver otherwise. */
  baseUrl?: string | undefined;
  /** Expand links into previews (Slack's `unfurl_links`); default false. */
  unfurlLinks?: boolean | undefined;
  timeoutMs?: number | undefined;
}

const ConfigSchema = z.strictObject({
  botToken: secret(z.string().regex(/^xox[bp]-[A-Za-z0-9-]{8,}$/, 'a Slack bot token (xoxb-…)'), "The app's bot user OAuth token (`xoxb-…`) with the `chat:write` scope."),
  baseUrl: httpUrl('Default `https://slack.com`.').optional(),
  unfurlLinks: z.boolean().optional().meta({ description: "Expand links into previews (Slack's `unfurl_links`); default false." }),
  timeoutMs,
});

interface SlackAnswer {
  ok?: boolean;
  error?: string;
  channel?: string;
  ts?: string;
}

export const SLACK_API = 'https://slack.com';

/**
 * Slack truncates `text` past 40,000 characters and refuses longer with msg_too_long.
 * chat.postMessage allows about one message per second per conversation (bursts tolerated);
 * every DM is its own conversation, so the workspace-wide pace is the app's to set per provider.
 */
const LIMITS: ChannelLimits = { lengths: [{ field: 'text', unit: 'chars', max: 40_000 }], supportsRecall: true, supportsReceipts: false };

// The token or the app: nothing another attempt with this config will fix.
const CONFIG_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
  'access_denied',
  'team_access_not_granted',
  'org_login_required',
  'enterprise_is_restricted',
  'restricted_action',
  'invalid_arg_name',
  'invalid_charset',
]);
// The member cannot be reached by this app: deleted, deactivated, not in the workspace, or app DMs turned off.
const RECIPIENT_ERRORS = new Set(['channel_not_found', 'user_not_found', 'user_disabled', 'is_archived', 'cannot_dm_bot', 'messages_tab_disabled', 'not_in_channel']);
const CONTENT_ERRORS = new Set(['msg_too_long', 'no_text', 'invalid_blocks', 'too_many_attachments', 'invalid_attachments']);
const RATE_ERRORS = new Set(['ratelimited', 'rate_limited', 'message_limit_exceeded']);
const BUSY_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** A Slack conversation or member id: upper-case letters and digits after a C, D, G, U or W. */
const SLACK_ID = /^[CDGUW][A-Z0-9]{2,20}$/;

function answerError(method: string, res: HttpResponse, a: SlackAnswer | undefined): DeliveryError {
  const code = a?.error;
  if (res.status === 429 || (code && RATE_ERRORS.has(code))) {
    // Slack says how long in Retry-After (seconds); a minute is its documented window otherwise.
    return new DeliveryError(DeliveryErrorType.RateLimited, `slack ${method}: ${code ?? 'rate limited'}`, { code: code ?? 429, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) ?? 60_000 });
  }
  if (!code) {
    if (res.status >= 200 && res.status < 300) return new DeliveryError(DeliveryErrorType.Unavailable, `slack ${method}: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
    return errorForStatus(`slack ${method}`, res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
  }
  const detail = `slack ${method}: ${code}`;
  if (CONFIG_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
  if (RECIPIENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
  if (CONTENT_ERRORS.has(code)) return new DeliveryError(DeliveryErrorType.Content, detail, { code });
  if (BUSY_ERRORS.has(code) || res.status >= 500) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
  return new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
}

export function createSlackBotAdapter(): ChannelAdapter<SlackBotConfig, ChatMessage> {
  async function call(config: SlackBotConfig, method: string, body: unknown): Promise<SlackAnswer> {
    const token = requireConfig(config.botToken, 'slack-bot', 'botToken');
    const res = await httpRequest({
      outbound: outboundPolicyOf(config),
      url: joinUrl(config.baseUrl ?? SLACK_API, `/api/${method}`),
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}`, accept: 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: config.timeoutMs,
    });
    const answer = parseJson(res.text) as SlackAnswer | undefined;
    if (res.status === 200 && answer?.ok === true) return answer;
    throw answerError(method, res, answer);
  }

  return {
    kind: 'slack-bot',
    channel: 'chat',
    limits: LIMITS,
    measure: (message) => ({ text: slackText(message) }),

    configSchema: ConfigSchema,

    async send(message: ChatMessage, config: SlackBotConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'slack-bot');
      requireConfig(config.botToken, 'slack-bot', 'botToken');
      if (!SLACK_ID.test(message.to)) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `slack-bot: ${JSON.stringify(message.to)} is not a Slack member id`, { code: 'EINVALIDUSER' });
      }
      const text = slackText(message);
      enforceLimits('slack-bot', LIMITS, { text });
      const answer = await call(config, 'chat.postMessage', { channel: message.to, text, mrkdwn: true, unfurl_links: config.unfurlLinks ?? false, unfurl_media: config.unfurlLinks ?? false });
      if (!answer.channel || !answer.ts) throw new DeliveryError(DeliveryErrorType.Unavailable, 'slack chat.postMessage: answer without channel and ts', { code: 'EBADANSWER' });
      // chat.delete needs both: the DM's channel id and the message's ts.
      return { providerMessageId: `${answer.channel}/${answer.ts}` };
    },

    async recall(providerMessageId: string, config: SlackBotConfig): Promise<void> {
      const m = /^([CDGUW][A-Z0-9]{2,20})\/(\d+\.\d+)$/.exec(providerMessageId);
      if (!m) throw new DeliveryError(DeliveryErrorType.Rejected, `slack chat.delete: ${providerMessageId} is not a channel/ts pair`, { code: 'EBADID' });
      // message_not_found and cant_delete_message are permanent (Rejected) like any unknown code.
      await call(config, 'chat.delete', { channel: m[1], ts: m[2] });
    },

    async close(): Promise<void> {},
  };
}
