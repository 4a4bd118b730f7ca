// The one interface every provider adapter implements. No Temporal imports here: adapters
// are plain code that sends one message and throws DeliveryError when it cannot.
import type { Channel } from '../common/statuses.js';

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
}

export type OutboundMessage = EmailMessage;

export interface SendResult {
  providerMessageId: string | null;
}

/** Limits declared as data, so routing and validation read them instead of hard-coding. */
export interface ChannelLimits {
  maxBodyBytes?: number;
  maxSubjectChars?: number;
  ratePerSecond?: number;
  supportsRecall: boolean;
  supportsReceipts: boolean;
}

export interface ChannelAdapter<Config = unknown, Message extends OutboundMessage = OutboundMessage> {
  /** Provider kind as named in provider configs, e.g. `smtp`. */
  readonly kind: string;
  readonly channel: Channel;
  readonly limits: ChannelLimits;
  send(message: Message, config: Config): Promise<SendResult>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
