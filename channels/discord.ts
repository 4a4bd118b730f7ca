// Discord webhooks (`/api/webhooks/{id}/{token}`). `?wait=true` makes Discord answer with the
// created message, which gives us its id. Rate limits come as 429 with a JSON body whose
// `retry_after` is in seconds (fractional), more precise than the Retry-After header.
import { DeliveryErrorType } from './errors.js';
import { configUrl, errorForStatus, httpRequest, isSuccess, parseJson, requireChannel } from './http.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';
import { enforceLimits } from './limits.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import { z } from 'zod';
import { timeoutMs, webhookUrl } from './config-schema.js';

/** The URL is the tenant's to choose, so it goes through the outbound guard (the router fills in the settings). */
export interface DiscordConfig extends OutboundSettings {
  webhookUrl: string;
  username?: string | undefined;
  timeoutMs?: number | undefined;
}

interface DiscordError {
  message?: string;
  code?: number;
  retry_after?: number;
}

// Discord counts `content` in JavaScript string length; 5 requests per 2 seconds per webhook
// (a bucket of one refilling 2 a second never posts a 6th within 2 seconds).
const LIMITS: ChannelLimits = { lengths: [{ field: 'content', unit: 'utf16', max: 2000 }], postRate: { perSecond: 2, burst: 1 }, supportsRecall: false, supportsReceipts: false };

function contentOf(message: ChatMessage): string {
  const body = renderMarkdown(message.content.markdown, 'discord');
  return message.content.title ? `**${message.content.title}**\n${body}` : body;
}

const ConfigSchema = z.strictObject({
  webhookUrl: webhookUrl('The channel webhook URL: `https://discord.com/api/webhooks/…/…`.'),
  username: z.string().min(1).max(80).optional().meta({ description: 'Overrides the name the webhook posts as.' }),
  timeoutMs,
});

export function createDiscordAdapter(): ChannelAdapter<DiscordConfig, ChatMessage> {
  return {
    kind: 'discord',
    channel: 'chat',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ content: contentOf(message) }),

    async send(message: ChatMessage, config: DiscordConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'discord');
      const url = configUrl(config.webhookUrl, 'discord', 'webhookUrl');
      url.searchParams.set('wait', 'true');
      const content = contentOf(message);
      enforceLimits('discord', LIMITS, { content });
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: url.toString(),
        headers: { 'content-type': 'application/json' },
        // No pings from notification text: an "@everyone" in a template must not page a whole server.
        body: JSON.stringify({ content, username: config.username, allowed_mentions: { parse: [] } }),
        timeoutMs: config.timeoutMs,
      });
      const json = parseJson(res.text) as (DiscordError & { id?: string }) | undefined;
      if (isSuccess(res.status)) return { providerMessageId: json?.id ?? null };
      const retryAfterMs = typeof json?.retry_after === 'number' ? Math.ceil(json.retry_after * 1000) : undefined;
      // 10015 Unknown Webhook: the webhook was deleted, so this configuration is dead.
      const goneType = json?.code === 10015 ? DeliveryErrorType.ProviderConfig : DeliveryErrorType.InvalidRecipient;
      throw errorForStatus('discord', res, json?.message ?? res.text, { code: json?.code ?? res.status, retryAfterMs, goneType });
    },

    async close(): Promise<void> {},
  };
}
