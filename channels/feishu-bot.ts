// Feishu/Lark custom bot. With signature verification on, the JSON body carries timestamp
// (seconds) and sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")):
// the secret goes into the key and nothing is hashed, unlike DingTalk. The outcome is `code`
// in the body (older deployments answer `StatusCode`).
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
export interface FeishuBotConfig extends OutboundSettings {
  /** `https://open.feishu.cn/open-apis/bot/v2/hook/…` (or open.larksuite.com). */
  webhookUrl: string;
  secret?: string | undefined;
  timeoutMs?: number | undefined;
}

interface FeishuAnswer {
  code?: number;
  msg?: string;
  StatusCode?: number;
  StatusMessage?: string;
}

export function feishuSign(secret: string, timestamp: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

// 11232: "frequency limited" (100 per minute, 5 per second per bot).
const RATE_LIMITED = new Set([11232]);
// 19021 bad signature or stale timestamp, 19022 IP not allowed, 19024 keyword missing, 19001 bot gone.
const CONFIG_ERRORS = new Set([19001, 19002, 19021, 19022, 19024]);

// Feishu refuses a request body over 20 KB. The signature fields are added per send (with a
// secret only), so the unsigned body gets 20 KB less the room they take at most.
const SIGNATURE_ROOM = Buffer.byteLength(JSON.stringify({ timestamp: '9999999999', sign: feishuSign('', '0') })) - 1;
const LIMITS: ChannelLimits = {
  lengths: [{ field: 'body', unit: 'bytes', max: 20 * 1024 - SIGNATURE_ROOM }],
  // 100 per minute and at most 5 per second, per bot: a bucket of one refilling 99 a minute
  // never posts a 101st within any minute, nor more than 3 within a second.
  postRate: { perSecond: 99 / 60, burst: 1 },
  maxMentions: 100,
  supportsRecall: false,
  supportsReceipts: false,
};

/** The message as a Feishu card: the title as its header, the body as one markdown element. The app adapter sends the same card. */
export function feishuCard(message: ChatMessage): Record<string, unknown> {
  const card: Record<string, unknown> = { elements: [{ tag: 'markdown', content: renderMarkdown(message.content.markdown, 'feishu') }] };
  if (message.content.title) card.header = { title: { tag: 'plain_text', content: message.content.title } };
  return card;
}

/**
 * A custom bot @-mentions members by open_id only; in a card's markdown the documented form is
 * `<at id=open_id></at>`, added after the text is rendered so that its escaping leaves the tags be.
 */
function mentionTags(message: ChatMessage): string {
  // Open ids are letters, digits, _ and -; anything else could break out of the tag, so it is not mentioned.
  const ids = (message.mentions ?? []).slice(0, LIMITS.maxMentions).filter((id) => /^[A-Za-z0-9_-]+$/.test(id));
  return ids.map((id) => `<at id=${id}></at>`).join(' ');
}

function unsignedPayload(message: ChatMessage): Record<string, unknown> {
  const card = feishuCard(message);
  const tags = mentionTags(message);
  const [first] = card.elements as { tag: string; content: string }[];
  if (tags && first) first.content = `${first.content}\n\n${tags}`;
  return { msg_type: 'interactive', card };
}

const ConfigSchema = z.strictObject({
  webhookUrl: webhookUrl('The custom bot URL: `https://open.feishu.cn/open-apis/bot/v2/hook/…` (or open.larksuite.com).'),
  secret: secret(z.string().min(1).max(256), 'The signing secret when the bot\'s "signature verification" is on.').optional(),
  timeoutMs,
});

export function createFeishuBotAdapter(): ChannelAdapter<FeishuBotConfig, ChatMessage> {
  return {
    kind: 'feishu-bot',
    channel: 'chat',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ body: JSON.stringify(unsignedPayload(message)) }),

    async send(message: ChatMessage, config: FeishuBotConfig): Promise<SendResult> {
      requireChannel(message.channel, 'chat', 'feishu-bot');
      const url = configUrl(config.webhookUrl, 'feishu-bot', 'webhookUrl').toString();
      const payload = unsignedPayload(message);
      enforceLimits('feishu-bot', LIMITS, { body: JSON.stringify(payload) });
      if (config.secret) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        payload.timestamp = timestamp;
        payload.sign = feishuSign(config.secret, timestamp);
      }
      const body = JSON.stringify(payload);
      const res = await httpRequest({ outbound: outboundPolicyOf(config), url, headers: { 'content-type': 'application/json' }, body, timeoutMs: config.timeoutMs });
      const answer = parseJson(res.text) as FeishuAnswer | undefined;
      const code = answer?.code ?? answer?.StatusCode;
      if (!isSuccess(res.status) && typeof code !== 'number') throw errorForStatus('feishu', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
      if (typeof code !== 'number') throw new DeliveryError(DeliveryErrorType.Unavailable, `feishu: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
      if (code === 0) return { providerMessageId: null };
      const detail = `feishu code ${code}: ${answer?.msg ?? answer?.StatusMessage ?? ''}`;
      if (RATE_LIMITED.has(code) || res.status === 429) throw new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: 1_000 });
      if (res.status >= 500) throw new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
      if (CONFIG_ERRORS.has(code)) throw new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
      throw new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
    },

    async close(): Promise<void> {},
  };
}
