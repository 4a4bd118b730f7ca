// Rendered content + a target → the message an adapter sends, per channel.
import type { EmailMessage, OutboundMessage, PushOptions } from '../../channels/types.js';
import type { Channel } from '../../channels/types.js';
import type { RenderedByChannel } from './render.js';
import type { Target } from '../audience/targets.js';
import { smsContentFor } from './sms-codes.js';

export interface ComposeContext {
  messageId: string;
  notificationId: string;
  templateKey: string;
  priority: string;
  expiresAt: Date | null;
  headers?: Record<string, string>;
  /** Email: the envelope sender (the delivery's VERP bounce address). */
  envelopeFrom?: string | undefined;
  /** Email: the notification's reply-to, cc, bcc and attachments. */
  email?: Pick<EmailMessage, 'replyTo' | 'cc' | 'bcc' | 'attachments'> | undefined;
  /** The kind of provider the message is for: SMS providers that send registered templates only get theirs. */
  providerKind?: string | undefined;
}

const URGENCY: Record<string, PushOptions['urgency']> = { high: 'high', medium: 'normal', low: 'low' };

function pushOptions(ctx: ComposeContext): PushOptions {
  // A push service holds an undelivered message no longer than the notification is valid.
  const ttlSeconds = ctx.expiresAt ? Math.max(0, Math.floor((ctx.expiresAt.getTime() - Date.now()) / 1000)) : 4 * 7 * 24 * 3600;
  return { ttlSeconds, urgency: URGENCY[ctx.priority] ?? 'normal' };
}

export function composeMessage<C extends Exclude<Channel, 'inapp'>>(channel: C, rendered: RenderedByChannel[C], target: Target, ctx: ComposeContext): OutboundMessage {
  const { messageId } = ctx;
  switch (channel) {
    case 'email': {
      const r = rendered as RenderedByChannel['email'];
      return { channel: 'email', messageId, to: String(target), content: r, headers: { 'X-Herald-Notification': ctx.notificationId, ...ctx.headers }, priority: ctx.priority, ...(ctx.envelopeFrom ? { envelopeFrom: ctx.envelopeFrom } : {}), ...ctx.email };
    }
    case 'sms':
      return { channel: 'sms', messageId, to: String(target), content: smsContentFor(rendered as RenderedByChannel['sms'], ctx.providerKind) };
    case 'chat': {
      const r = rendered as RenderedByChannel['chat'];
      return { channel: 'chat', messageId, to: String(target), content: { title: r.title, markdown: r.markdown } };
    }
    case 'push': {
      const r = rendered as RenderedByChannel['push'];
      return { channel: 'push', messageId, to: target, content: { title: r.title, body: r.body, url: r.url, data: r.data }, options: pushOptions(ctx) };
    }
    case 'webhook':
      return { channel: 'webhook', messageId, to: String(target), content: { event: ctx.templateKey, data: (rendered as RenderedByChannel['webhook']).body } };
  }
  throw new Error(`unknown channel ${String(channel)}`);
}
