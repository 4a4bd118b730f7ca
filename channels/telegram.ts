// Telegram Bot API sendMessage. The API always answers JSON {ok, result | error_code,
// description, parameters.retry_after}; `description` tells a blocked bot or a missing chat
// (the recipient) apart from a malformed message (our content).
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, joinUrl, parseJson, requireChannel, requireConfig } from './http.js';
import { enforceLimits } from './limits.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChannelLimits, ChatMessage, SendResult } from './types.js';
import { z } from 'zod';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface TelegramConfig extends OutboundSettings {
  botToken: string;
  /** Default `https://api.telegram.org`; a local Bot API server or a test receiver otherwise. */
  apiBaseUrl?: string | undefined;
  parseMode?: 'HTML' | 'MarkdownV2' | undefined;
  disableLinkPreview?: boolean | undefined;
  timeoutMs?: number | undefined;
}

interface TelegramAnswer {
  ok?: boolean;
  result?: { message_id?: number };
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

// `text` up to 4096 (JavaScript string length); about 30 messages per second per bot overall.
const LIMITS: ChannelLimits = { lengths: [{ field: 'text', unit: 'utf16', max: 4096 }], ratePerSecond: 30, supportsRecall: false, supportsReceipts: false };

function textOf(message: ChatMessage, config: Partial<TelegramConfig>): string {
  const parseMode = config.parseMode ?? 'HTML';
  const dialect = parseMode === 'HTML' ? 'telegram-html' : 'telegram-markdownv2';
  const body = renderMarkdown(message.content.markdown, dialect);
  const title = message.content.title ? renderMarkdown(message.content.title, dialect) : undefined;
  return title ? (parseMode === 'HTML' ? `<b>${title}</b>\n${body}` : `*${title}*\n${body}`) : body;
}
const RECIPIENT_GONE = /chat not found|bot was blocked|user is deactivated|bot was kicked|not a member|PEER_ID_INVALID|have no rights to send/i;

const ConfigSchema = z.strictObject({
  botToken: secret(z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'a bot token such as 123456:ABC-…'), 'The bot token from @BotFather.'),
  apiBaseUrl: httpUrl('Default `https://api.telegram.org`; a local Bot API server otherwise.').optional(),
  parseMode: z.enum(['HTML', 'MarkdownV2']).optional().meta({ description: 'How the text is formatted (default `HTML`).' }),
  disableLinkPreview: z.boolean().optional().meta({ description: 'Do not expand links into previews.' }),
  timeoutMs,
});

export function createTelegramAdapter(): ChannelAdapter<TelegramConfig, ChatMessage> {
  return {
    kind: 'telegram',
    channel: 'chat',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message, config) => ({ text: textOf(message, config ?? {}) }),

    async send(message: ChatMessage, config: TelegramConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'telegram');
      const token = requireConfig(config.botToken, 'telegram', 'botToken');
      if (!message.to) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'telegram: chat id is empty', { code: 'ENOCHAT' });
      const parseMode = config.parseMode ?? 'HTML';
      const text = textOf(message, config);
      enforceLimits('telegram', LIMITS, { text });

      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: joinUrl(config.apiBaseUrl ?? 'https://api.telegram.org', `/bot${token}/sendMessage`),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: message.to, text, parse_mode: parseMode, link_preview_options: { is_disabled: config.disableLinkPreview ?? false } }),
        timeoutMs: config.timeoutMs,
      });
      const answer = parseJson(res.text) as TelegramAnswer | undefined;
      if (res.status === 200 && answer?.ok === true) return { providerMessageId: answer.result?.message_id !== undefined ? String(answer.result.message_id) : null };

      const description = answer?.description ?? res.text;
      const status = answer?.error_code ?? res.status;
      const retryAfter = answer?.parameters?.retry_after;
      if (status === 400 || status === 403) {
        if (RECIPIENT_GONE.test(description)) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `telegram: ${description}`, { code: status });
        if (status === 400) throw new DeliveryError(DeliveryErrorType.Rejected, `telegram: ${description}`, { code: status });
      }
      // 404 from the Bot API means the token path does not exist, not the chat.
      if (status === 404 || status === 401) throw new DeliveryError(DeliveryErrorType.ProviderConfig, `telegram: ${description}`, { code: status });
      throw errorForStatus('telegram', { ...res, status: res.status === 200 ? status : res.status }, description, {
        code: status,
        retryAfterMs: typeof retryAfter === 'number' ? retryAfter * 1000 : undefined,
      });
    },

    async close(): Promise<void> {},
  };
}
