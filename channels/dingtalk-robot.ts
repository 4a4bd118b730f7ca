// DingTalk custom group robot. With "sign" security the URL carries timestamp (ms) and
// sign = urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret))). DingTalk answers
// HTTP 200 even on failure; the outcome is `errcode` in the JSON body.
import { createHmac } from 'node:crypto';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { configUrl, errorForStatus, httpRequest, isSuccess, parseJson, requireChannel, truncate } from './http.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';
import { enforceLimits } from './limits.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import { z } from 'zod';
import { secret, throttledRetryMs, timeoutMs, webhookUrl } from './config-schema.js';

/** The URL is the tenant's to choose, so it goes through the outbound guard (the router fills in the settings). */
export interface DingtalkRobotConfig extends OutboundSettings {
  /** `https://oapi.dingtalk.com/robot/send?access_token=…` */
  webhookUrl: string;
  /** The robot's `SEC…` secret when the "sign" security setting is on. */
  secret?: string | undefined;
  atMobiles?: string[] | undefined;
  atAll?: boolean | undefined;
  timeoutMs?: number | undefined;
  /** How long a throttled robot waits before the post is tried again (DingTalk blocks it for ten minutes; tests shorten it). */
  throttledRetryMs?: number | undefined;
}

interface DingtalkAnswer {
  errcode?: number;
  errmsg?: string;
}

export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

// 130101 "send too fast, exceed 20 times per minute" (the robot is then blocked for ten
// minutes), 410100 "发送速度太快而限流" (sending too fast, throttled).
const RATE_LIMITED = new Set([130101, 130102, 410100]);
const THROTTLED_RETRY_MS = 10 * 60_000;
// 300001 token missing, 310000 sign/keyword/IP check failed, 400013 group dissolved, 43010x content refused.
const CONFIG_ERRORS = new Set([300001, 300005, 310000, 400013, 430101, 430102, 430103, 430104]);

// The markdown text up to 20,000 bytes. 20 messages a minute per robot: a bucket of one
// refilling 19 a minute never posts a 21st within any minute.
const LIMITS: ChannelLimits = {
  lengths: [{ field: 'text', unit: 'bytes', max: 20_000 }],
  postRate: { perSecond: 19 / 60, burst: 1 },
  maxMentions: 100,
  supportsRecall: false,
  supportsReceipts: false,
};

/** Who the message @-mentions: members by userId (`at.atUserIds`) and the config's phone numbers (`at.atMobiles`). */
function atOf(message: ChatMessage, config: Partial<DingtalkRobotConfig>): { atUserIds: string[]; atMobiles: string[]; isAtAll: boolean } {
  return { atUserIds: (message.mentions ?? []).slice(0, LIMITS.maxMentions), atMobiles: config.atMobiles ?? [], isAtAll: config.atAll ?? false };
}

function textOf(message: ChatMessage, config: Partial<DingtalkRobotConfig>): string {
  let text = renderMarkdown(message.content.markdown, 'dingtalk');
  if (message.content.title) text = `### ${message.content.title}\n\n${text}`;
  // In a markdown message DingTalk only notifies the @-mentioned members whose userId or
  // number also appears in the text as @<id>.
  const at = atOf(message, config);
  const names = [...at.atUserIds, ...at.atMobiles];
  if (names.length > 0) text += `\n\n${names.map((m) => `@${m}`).join(' ')}`;
  return text;
}

const ConfigSchema = z.strictObject({
  webhookUrl: webhookUrl('The robot URL: `https://oapi.dingtalk.com/robot/send?access_token=…`.'),
  secret: secret(z.string().min(1).max(256), 'The robot\'s `SEC…` secret when its "sign" security setting is on.').optional(),
  atMobiles: z.array(z.string().min(1).max(32)).max(100).optional().meta({ description: 'Phone numbers of members to @-mention.' }),
  atAll: z.boolean().optional().meta({ description: '@-mention everyone in the group.' }),
  timeoutMs,
  throttledRetryMs: throttledRetryMs('Milliseconds to wait before trying again after DingTalk throttled the robot (errcode 130101/410100); default ten minutes, the time DingTalk blocks it.'),
});

export function createDingtalkRobotAdapter(): ChannelAdapter<DingtalkRobotConfig, ChatMessage> {
  return {
    kind: 'dingtalk-robot',
    channel: 'chat',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message, config) => ({ text: textOf(message, config ?? {}) }),

    async send(message: ChatMessage, config: DingtalkRobotConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'dingtalk-robot');
      const url = configUrl(config.webhookUrl, 'dingtalk-robot', 'webhookUrl');
      if (config.secret) {
        const timestamp = String(Date.now());
        url.searchParams.set('timestamp', timestamp);
        url.searchParams.set('sign', dingtalkSign(config.secret, timestamp));
      }
      const title = message.content.title || message.content.markdown.split('\n')[0]?.slice(0, 64) || 'Notification';
      const text = textOf(message, config);
      enforceLimits('dingtalk-robot', LIMITS, { text });
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: url.toString(),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title, text }, at: atOf(message, config) }),
        timeoutMs: config.timeoutMs,
      });
      if (!isSuccess(res.status)) throw errorForStatus('dingtalk', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
      const answer = parseJson(res.text) as DingtalkAnswer | undefined;
      if (typeof answer?.errcode !== 'number') throw new DeliveryError(DeliveryErrorType.Unavailable, `dingtalk: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
      if (answer.errcode === 0) return { providerMessageId: null };
      const detail = `dingtalk errcode ${answer.errcode}: ${answer.errmsg ?? ''}`;
      if (RATE_LIMITED.has(answer.errcode)) throw new DeliveryError(DeliveryErrorType.RateLimited, detail, { code: answer.errcode, retryAfterMs: config.throttledRetryMs ?? THROTTLED_RETRY_MS });
      // -1: "system busy".
      if (answer.errcode === -1) throw new DeliveryError(DeliveryErrorType.Unavailable, detail, { code: answer.errcode });
      if (CONFIG_ERRORS.has(answer.errcode)) throw new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code: answer.errcode });
      throw new DeliveryError(DeliveryErrorType.Rejected, detail, { code: answer.errcode });
    },

    async close(): Promise<void> {},
  };
}
