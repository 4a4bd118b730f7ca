// Slack incoming webhooks: one URL posts into one channel. Slack answers with a short
// plain-text error name (`channel_not_found`, `invalid_token`, ...) that we keep as the code.
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { configUrl, errorForStatus, httpRequest, isSuccess, requireChannel } from './http.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';
import { enforceLimits } from './limits.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import { z } from 'zod';
import { timeoutMs, webhookUrl } from './config-schema.js';

/** The URL is the tenant's to choose, so it goes through the outbound guard (the router fills in the settings). */
export interface SlackConfig extends OutboundSettings {
  /** `https://hooks.slack.com/services/T…/B…/…`; any URL in tests. */
  webhookUrl: string;
  timeoutMs?: number | undefined;
}

// A revoked or deleted webhook is our configuration; an archived or deleted channel is the destination.
const CONFIG_ERRORS = new Set(['invalid_token', 'no_service', 'no_service_id', 'no_team', 'team_disabled', 'action_prohibited', 'posting_to_general_channel_denied']);
const GONE_ERRORS = new Set(['channel_not_found', 'channel_is_archived', 'user_not_found']);

// Slack truncates `text` past 40k characters and allows about one message per second per webhook.
const LIMITS: ChannelLimits = { lengths: [{ field: 'text', unit: 'chars', max: 40_000 }], postRate: { perSecond: 1, burst: 1 }, supportsRecall: false, supportsReceipts: false };

/** The message as Slack mrkdwn: the title in bold over the body. The bot adapter sends the same text. */
export function slackText(message: ChatMessage): string {
  const body = renderMarkdown(message.content.markdown, 'slack');
  return message.content.title ? `*${renderMarkdown(message.content.title, 'slack')}*\n${body}` : body;
}

const ConfigSchema = z.strictObject({
  webhookUrl: webhookUrl('The incoming-webhook URL: `https://hooks.slack.com/services/T…/B…/…`.'),
  timeoutMs,
});

export function createSlackAdapter(): ChannelAdapter<SlackConfig, ChatMessage> {
  return {
    kind: 'slack',
    channel: 'chat',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ text: slackText(message) }),

    async send(message: ChatMessage, config: SlackConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'slack');
      const url = configUrl(config.webhookUrl, 'slack', 'webhookUrl').toString();
      const text = slackText(message);
      enforceLimits('slack', LIMITS, { text });
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, mrkdwn: true }),
        timeoutMs: config.timeoutMs,
      });
      if (isSuccess(res.status)) return { providerMessageId: null };
      const code = res.text.trim();
      if (CONFIG_ERRORS.has(code)) throw new DeliveryError(DeliveryErrorType.ProviderConfig, `slack: ${code}`, { code });
      if (GONE_ERRORS.has(code)) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `slack: ${code}`, { code });
      throw errorForStatus('slack', res, code, { code: code && code.length < 64 ? code : res.status });
    },

    async close(): Promise<void> {},
  };
}
