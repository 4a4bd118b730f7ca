// The one interface every provider adapter implements. No Temporal imports here: adapters
// are plain code that sends one message and throws DeliveryError when it cannot.
import type { ConfigSchema } from './config-schema.js';

/** The channels Herald delivers on; provider kinds belong to one of them. */
export const CHANNELS = ['email', 'sms', 'chat', 'push', 'inapp', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface EmailContent {
  subject: string;
  html?: string | undefined;
  text?: string | undefined;
}

export interface EmailMessage {
  channel: 'email';
  /** Stable id from the ledger row; becomes the Message-ID header. */
  messageId: string;
  to: string;
  content: EmailContent;
  headers?: Record<string, string>;
  /** Envelope sender (MAIL FROM) when it is not the From address: the delivery's VERP bounce address. */
  envelopeFrom?: string | undefined;
  /** The notification's priority: high-priority mail gets pooled connections of its own. */
  priority?: string | undefined;
  replyTo?: string[] | undefined;
  cc?: string[] | undefined;
  /** Envelope recipients only: never in a header. */
  bcc?: string[] | undefined;
  attachments?: EmailAttachment[] | undefined;
}

/** A file sent with an email; with `contentId`, an inline image the html shows as `cid:<contentId>`. */
export interface EmailAttachment {
  filename: string;
  /** Absent: taken from the filename's extension. */
  contentType?: string | undefined;
  content: Buffer;
  contentId?: string | undefined;
}

/** Chat text is written once in Herald's small common markdown and converted per platform. */
export interface ChatContent {
  title?: string | undefined;
  markdown: string;
}

export interface ChatMessage {
  channel: 'chat';
  messageId: string;
  /**
   * The conversation: a chat id for bot APIs (Telegram). Webhook-style robots (Slack,
   * Discord, Teams, DingTalk, WeCom, Feishu) address one group through their webhook URL,
   * which is provider config, so they ignore it.
   */
  to: string;
  content: ChatContent;
  /**
   * Group members to @-mention, by their id on the platform (DingTalk userId, WeCom userid,
   * Feishu open_id); robots of other platforms ignore it.
   */
  mentions?: string[] | undefined;
}

export interface SmsContent {
  /** Free text, for providers that send it as is (Twilio, generic HTTP). */
  text?: string | undefined;
  /** Pre-registered template, for providers that only send templates (Aliyun TemplateCode, Tencent TemplateId). */
  templateId?: string | undefined;
  /** The registered signature to send under, when not the provider config's. */
  signName?: string | undefined;
  /** Template variables: by name (Aliyun TemplateParam), or in order of Tencent's positional `{1}`, `{2}` (TemplateParamSet). */
  templateParams?: Record<string, string> | string[] | undefined;
}

export interface SmsMessage {
  channel: 'sms';
  messageId: string;
  /** E.164 phone number. */
  to: string;
  content: SmsContent;
}

/** A browser's PushSubscription as returned by `pushManager.subscribe()`. */
export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushContent {
  title: string;
  body: string;
  /** Opened when the notification is clicked. */
  url?: string | undefined;
  data?: Record<string, string> | undefined;
}

export interface PushOptions {
  /** How long the push service keeps an undelivered message. */
  ttlSeconds?: number | undefined;
  urgency?: 'very-low' | 'low' | 'normal' | 'high' | undefined;
  /** Replaces an undelivered message with the same key (web-push topic, APNs collapse id, FCM collapse key). */
  collapseKey?: string | undefined;
}

export interface PushMessage {
  channel: 'push';
  messageId: string;
  /** A device token (FCM, APNs) or a browser subscription (web push). */
  to: string | WebPushSubscription;
  content: PushContent;
  options?: PushOptions | undefined;
}

export interface WebhookContent {
  /** Event name the receiver dispatches on, e.g. `notification.created`. */
  event: string;
  data: unknown;
}

export interface WebhookMessage {
  channel: 'webhook';
  messageId: string;
  /** The subscriber's endpoint URL. */
  to: string;
  content: WebhookContent;
}

export type OutboundMessage = EmailMessage | ChatMessage | SmsMessage | PushMessage | WebhookMessage;

export interface SendResult {
  providerMessageId: string | null;
}

/**
 * How a length is counted: UTF-8 bytes, characters as a reader sees them (code points),
 * UTF-16 code units (what JavaScript-based APIs such as Discord's and Telegram's count), or
 * the SMS segments a handset splits the text into.
 */
export type LengthUnit = 'bytes' | 'chars' | 'utf16' | 'sms-segments';

/** One length the provider refuses beyond, on one field of what the adapter sends. */
export interface LengthLimit {
  /** A key of what the adapter's `measure` returns, e.g. `subject`, `text`, `body`. */
  field: string;
  unit: LengthUnit;
  max: number;
}

/**
 * Limits declared as data (Apprise-style), the only copy: the adapter enforces them before it
 * sends, and template preview and publish measure rendered content against the same object.
 */
export interface ChannelLimits {
  /** Every one must hold; empty when Herald sends nothing whose length it controls. */
  lengths: readonly LengthLimit[];
  ratePerSecond?: number;
  /**
   * A fixed posting limit the platform documents per robot or webhook (DingTalk 20 a minute,
   * ...). Herald enforces it itself, with a token bucket per provider shared by every worker,
   * whether or not the tenant set a rate of its own (the stricter wins).
   */
  postRate?: TokenBucket;
  /** Group robots: at most this many members are @-mentioned in one message. */
  maxMentions?: number;
  supportsRecall: boolean;
  supportsReceipts: boolean;
}

/** Tokens refill at `perSecond` up to `burst`; each post takes one. */
export interface TokenBucket {
  perSecond: number;
  burst: number;
}

/** The strings `limits.lengths` are measured on, by field, as the adapter would send them. */
export type Measured = Record<string, string>;

export interface ChannelAdapter<Config = unknown, Message extends OutboundMessage = OutboundMessage> {
  /** Provider kind as named in provider configs, e.g. `smtp`. */
  readonly kind: string;
  readonly channel: Channel;
  readonly limits: ChannelLimits;
  /**
   * What `limits.lengths` are measured on for this message. Pure: no I/O. Without a config
   * (a template preview), the provider's default settings are assumed.
   */
  measure(message: Message, config?: Config): Measured;
  send(message: Message, config: Config): Promise<SendResult>;
  /**
   * Takes back a message this adapter sent (`limits.supportsRecall`), by the id `send`
   * returned. Throws DeliveryError like `send`: permanent when it can never be recalled.
   */
  recall?(providerMessageId: string, config: Config): Promise<void>;
  /** What a tenant may put in this kind's provider config (channels/config-schema.ts), checked when it is saved. */
  readonly configSchema: ConfigSchema;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
