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
import { secret, timeoutMs, webhookUrl } from './config-schema.js';

/** The URL is the tenant's to choose, so it goes through the outbound guard (the router fills in the settings). */
export interface DingtalkRobotConfig extends OutboundSettings {
  /** `https://oapi.dingtalk.com/robot/send?access_token=…` */
  webhookUrl: string;
  /** The robot's `SEC…` secret when the "sign" security setting is on. */
  secret?: string | undefined;
  atMobiles?: string[] | undefined;
  atAll?: boolean | undefined;
  timeoutMs?: number | undefined;
}

interface DingtalkAnswer {
  errcode?: number;
  errmsg?: string;
}

export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

// 130101: more than 20 messages a minute; DingTalk then blocks the robot for ten minutes.
const RATE_LIMITED = new Set([130101, 130102]);
// 300001 token missing, 310000 sign/keyword/IP check failed, 400013 robot disabled, 410100 robot gone.
const CONFIG_ERRORS = new Set([300001, 300005, 310000, 400013, 410100, 430101, 430102, 430103, 430104]);

// The markdown text up to 20,000 bytes; more than 20 messages a minute blocks the robot.
const LIMITS: ChannelLimits = { lengths: [{ field: 'text', unit: 'bytes', max: 20_000 }], ratePerSecond: 20 / 60, supportsRecall: false, supportsReceipts: false };

function textOf(message: ChatMessage, config: Partial<DingtalkRobotConfig>): string {
  let text = renderMarkdown(message.content.markdown, 'dingtalk');
  if (message.content.title) text = `### ${message.content.title}\n\n${text}`;
  // DingTalk only notifies the @-mentioned members if their numbers also appear in the text.
  if (config.atMobiles?.length) text += `\n\n${config.atMobiles.map((m) => `@${m}`).join(' ')}`;
  return text;
}

const ConfigSchema = z.strictObject({
  webhookUrl: webhookUrl('The robot URL: `https://oapi.dingtalk.com/robot/send?access_token=…`.'),
  secret: secret(z.string().min(1).max(256), 'The robot\'s `SEC…` secret when its "sign" security setting is on.').optional(),
  atMobiles: z.array(z.string().min(1).max(32)).max(100).optional().meta({ description: 'Phone numbers of members to @-mention.' }),
  atAll: z.boolean().optional().meta({ description: '@-mention everyone in the group.' }),
  timeoutMs,
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
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title, text }, at: { atMobiles: config.atMobiles ?? [], isAtAll: config.atAll ?? false } }),
        timeoutMs: config.timeoutMs,
      });
      if (!isSuccess(res.status)) throw errorForStatus('dingtalk', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
      const answer = parseJson(res.text) as DingtalkAnswer | undefined;
      if (typeof answer?.errcode !== 'number') throw new DeliveryError(DeliveryErrorType.Unavailable, `dingtalk: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
      if (answer.errcode === 0) return { providerMessageId: null };
      const detail = `dingtalk errcode ${answer.errcode}: ${answer.errmsg ?? ''}`;
      if (RATE_LIMITED.has(answer.errcode)) throw new DeliveryError(DeliveryErrorType.RateLimited, detail, { code: answer.errcode, retryAfterMs: 60_000 });
      // -1: "system busy".
      if (answer.errcode === -1) throw new DeliveryError(DeliveryErrorType.Unavailable, detail, { code: answer.errcode });
      if (CONFIG_ERRORS.has(answer.errcode)) throw new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code: answer.errcode });
      throw new DeliveryError(DeliveryErrorType.Rejected, detail, { code: answer.errcode });
    },

    async close(): Promise<void> {},
  };
}
