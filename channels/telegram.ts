// Telegram Bot API sendMessage. The API always answers JSON {ok, result | error_code,
// description, parameters.retry_after}; `description` tells a blocked bot or a missing chat
// (the recipient) apart from a malformed message (our content).
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, joinUrl, parseJson, requireChannel, requireConfig } from './http.js';
import { renderMarkdown } from './markdown.js';
import type { ChannelAdapter, ChatMessage, SendResult } from './types.js';

export interface TelegramConfig {
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

const MAX_TEXT = 4096;
const RECIPIENT_GONE = /chat not found|bot was blocked|user is deactivated|bot was kicked|not a member|PEER_ID_INVALID|have no rights to send/i;

export function createTelegramAdapter(): ChannelAdapter<TelegramConfig, ChatMessage> {
  return {
    kind: 'telegram',
    channel: 'chat',
    // Telegram's documented guidance: about 30 messages per second per bot overall.
    limits: { maxBodyBytes: MAX_TEXT, ratePerSecond: 30, supportsRecall: false, supportsReceipts: false },

    async send(message: ChatMessage, config: TelegramConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'telegram');
      const token = requireConfig(config.botToken, 'telegram', 'botToken');
      if (!message.to) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'telegram: chat id is empty', { code: 'ENOCHAT' });
      const parseMode = config.parseMode ?? 'HTML';
      const dialect = parseMode === 'HTML' ? 'telegram-html' : 'telegram-markdownv2';
      const body = renderMarkdown(message.content.markdown, dialect);
      const title = message.content.title ? renderMarkdown(message.content.title, dialect) : undefined;
      const text = title ? (parseMode === 'HTML' ? `<b>${title}</b>\n${body}` : `*${title}*\n${body}`) : body;
      if (text.length > MAX_TEXT) throw new DeliveryError(DeliveryErrorType.Content, `telegram: text is ${text.length} characters, limit ${MAX_TEXT}`, { code: 'ETOOLONG' });

      const res = await httpRequest({
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
