// WeCom (WeChat Work) group robot: `cgi-bin/webhook/send?key=…` with a markdown message.
// Like DingTalk it answers HTTP 200 with `errcode` in the body.
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { configUrl, errorForStatus, httpRequest, isSuccess, parseJson, requireChannel, truncate } from './http.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';
import { enforceLimits } from './limits.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import { z } from 'zod';
import { throttledRetryMs, timeoutMs, webhookUrl } from './config-schema.js';

/** The URL is the tenant's to choose, so it goes through the outbound guard (the router fills in the settings). */
export interface WecomRobotConfig extends OutboundSettings {
  /** `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…` */
  webhookUrl: string;
  timeoutMs?: number | undefined;
  /** How long a throttled robot waits before the post is tried again (tests shorten it). */
  throttledRetryMs?: number | undefined;
}

interface WecomAnswer {
  errcode?: number;
  errmsg?: string;
}

// WeCom counts the markdown content in UTF-8 bytes. 20 messages per minute per robot: a
// bucket of one refilling 19 a minute never posts a 21st within any minute.
const LIMITS: ChannelLimits = {
  lengths: [{ field: 'content', unit: 'bytes', max: 4096 }],
  postRate: { perSecond: 19 / 60, burst: 1 },
  maxMentions: 100,
  supportsRecall: false,
  supportsReceipts: false,
};

// WeCom's `mentioned_list` / `mentioned_mobile_list` apply to text messages only; a markdown
// message @-mentions a member with the `<@userid>` extension in its content.
function contentOf(message: ChatMessage): string {
  const content = renderMarkdown(message.content.markdown, 'wecom');
  const body = message.content.title ? `## ${message.content.title}\n${content}` : content;
  const mentions = (message.mentions ?? []).slice(0, LIMITS.maxMentions);
  return mentions.length > 0 ? `${body}\n${mentions.map((id) => `<@${id}>`).join(' ')}` : body;
}
// 45009: over 20 messages per minute for this robot; the API's frequency limits.
const RATE_LIMITED = new Set([45009, 45033]);
const THROTTLED_RETRY_MS = 60_000;
// 93000 invalid webhook key, 93004 robot removed from the group, 93008 not in the chat anymore.
const CONFIG_ERRORS = new Set([93000, 93004, 93008, 40014, 42001]);
const SYSTEM_BUSY = new Set([-1, 6000]);

const ConfigSchema = z.strictObject({
  webhookUrl: webhookUrl('The group robot URL: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.'),
  timeoutMs,
  throttledRetryMs: throttledRetryMs('Milliseconds to wait before trying again after WeCom throttled the robot (errcode 45009); default one minute, the window of its limit.'),
});

export function createWecomRobotAdapter(): ChannelAdapter<WecomRobotConfig, ChatMessage> {
  return {
    kind: 'wecom-robot',
    channel: 'chat',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ content: contentOf(message) }),

    async send(message: ChatMessage, config: WecomRobotConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'wecom-robot');
      const url = configUrl(config.webhookUrl, 'wecom-robot', 'webhookUrl').toString();
      const content = contentOf(message);
      enforceLimits('wecom-robot', LIMITS, { content });
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }),
        timeoutMs: config.timeoutMs,
      });
      if (!isSuccess(res.status)) throw errorForStatus('wecom', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
      const answer = parseJson(res.text) as WecomAnswer | undefined;
      if (typeof answer?.errcode !== 'number') throw new DeliveryError(DeliveryErrorType.Unavailable, `wecom: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
      if (answer.errcode === 0) return { providerMessageId: null };
      const detail = `wecom errcode ${answer.errcode}: ${answer.errmsg ?? ''}`;
      if (RATE_LIMITED.has(answer.errcode)) throw new DeliveryError(DeliveryErrorType.RateLimited, detail, { code: answer.errcode, retryAfterMs: config.throttledRetryMs ?? THROTTLED_RETRY_MS });
      if (SYSTEM_BUSY.has(answer.errcode)) throw new DeliveryError(DeliveryErrorType.Unavailable, detail, { code: answer.errcode });
      if (CONFIG_ERRORS.has(answer.errcode)) throw new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code: answer.errcode });
      throw new DeliveryError(DeliveryErrorType.Rejected, detail, { code: answer.errcode });
    },

    async close(): Promise<void> {},
  };
}
