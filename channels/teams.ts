// Microsoft Teams incoming webhooks (Workflows or legacy connectors) take a message with one
// Adaptive Card attachment. Legacy connectors answered HTTP 200 with an error sentence in the
// body instead of a status code, so a 200 whose body is not "1" or empty is checked too.
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { configUrl, errorForStatus, httpRequest, isSuccess, requireChannel, truncate } from './http.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';
import { enforceLimits } from './limits.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import { z } from 'zod';
import { timeoutMs, webhookUrl } from './config-schema.js';

/** The URL is the tenant's to choose, so it goes through the outbound guard (the router fills in the settings). */
export interface TeamsConfig extends OutboundSettings {
  webhookUrl: string;
  timeoutMs?: number | undefined;
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export function adaptiveCardFor(message: ChatMessage): object {
  const body: object[] = [];
  if (message.content.title) body.push({ type: 'TextBlock', text: message.content.title, weight: 'Bolder', size: 'Medium', wrap: true });
  body.push({ type: 'TextBlock', text: renderMarkdown(message.content.markdown, 'teams'), wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body },
      },
    ],
  };
}

// Teams rejects payloads over about 28 KB and throttles webhooks past 4 requests a second
// (a bucket of one refilling 3 a second never posts a 5th within a second).
const LIMITS: ChannelLimits = { lengths: [{ field: 'payload', unit: 'bytes', max: 28 * 1024 }], postRate: { perSecond: 3, burst: 1 }, supportsRecall: false, supportsReceipts: false };

const ConfigSchema = z.strictObject({
  webhookUrl: webhookUrl("The channel's incoming-webhook (or Workflows) URL."),
  timeoutMs,
});

export function createTeamsAdapter(): ChannelAdapter<TeamsConfig, ChatMessage> {
  return {
    kind: 'teams',
    channel: 'chat',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ payload: JSON.stringify(adaptiveCardFor(message)) }),

    async send(message: ChatMessage, config: TeamsConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'teams');
      const url = configUrl(config.webhookUrl, 'teams', 'webhookUrl').toString();
      const payload = JSON.stringify(adaptiveCardFor(message));
      enforceLimits('teams', LIMITS, { payload });
      const res = await httpRequest({ outbound: outboundPolicyOf(config), url, headers: { 'content-type': 'application/json' }, body: payload, timeoutMs: config.timeoutMs });
      if (!isSuccess(res.status)) throw errorForStatus('teams', res, res.text);
      const text = res.text.trim();
      if (res.status === 200 && text !== '' && text !== '1') {
        const legacyStatus = /HTTP error (\d{3})/.exec(text)?.[1];
        if (legacyStatus === '429') throw new DeliveryError(DeliveryErrorType.RateLimited, `teams: ${truncate(text)}`, { code: 429 });
        if (legacyStatus?.startsWith('5')) throw new DeliveryError(DeliveryErrorType.Unavailable, `teams: ${truncate(text)}`, { code: Number(legacyStatus) });
        throw new DeliveryError(DeliveryErrorType.Rejected, `teams: ${truncate(text)}`, { code: legacyStatus ?? 'ELEGACY' });
      }
      return { providerMessageId: null };
    },

    async close(): Promise<void> {},
  };
}
