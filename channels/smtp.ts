// Email over SMTP through nodemailer, with one pooled transport per distinct server
// configuration so connections are reused across sends.
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { EMAIL_SUBJECT_MAX_CHARS, enforceLimits, measureEmail } from './limits.js';
import { envelopeRecipients, extraMailFields } from './mail-fields.js';
import type { ChannelAdapter, ChannelLimits, EmailMessage, SendResult } from './types.js';
import { z } from 'zod';
import { secret } from './config-schema.js';
import { createSmtpSender, type SmtpSender } from './smtp-threads.js';
import type { SmtpConfig } from './smtp-transports.js';

export type { SmtpConfig } from './smtp-transports.js';


interface SmtpErrorShape {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message: string;
}

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ETLS']);

/** SMTP reply classes: 4xx is "try again later", 5xx is "never". */
export function classifySmtpError(err: unknown): DeliveryError {
  const e = (err ?? {}) as SmtpErrorShape;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  // The server's reply without its repeated code: "SMTP 550 …: 5.1.1 No such user", not "550 550 5.1.1".
  const detail = (e.response ?? e.message ?? 'SMTP error').trim().replace(reply !== undefined ? new RegExp(`^${reply}[ -]`) : /^$/, '');
  const stage = e.command ? ` at ${e.command}` : '';
  if (reply !== undefined && reply >= 400 && reply < 500) {
    return new DeliveryError(DeliveryErrorType.Unavailable, `SMTP ${reply}${stage}: ${detail}`, { code: reply, cause: err });
  }
  if (reply !== undefined && reply >= 500) {
    const onRecipient = e.command === 'RCPT TO' || e.code === 'EENVELOPE';
    const type = onRecipient ? DeliveryErrorType.InvalidRecipient : DeliveryErrorType.Rejected;
    // Refused before any mail was handed over: a `failed` send, not a bounce of a sent one.
    const what = onRecipient ? ' at RCPT TO, the receiving server refused the recipient' : `${stage}, the receiving server refused the message`;
    return new DeliveryError(type, `SMTP ${reply}${what}: ${detail}`, { code: reply, cause: err });
  }
  if (e.code === 'EAUTH') return new DeliveryError(DeliveryErrorType.ProviderConfig, `SMTP authentication failed: ${detail}`, { code: 'EAUTH', cause: err });
  if (e.code && NETWORK_CODES.has(e.code)) return new DeliveryError(DeliveryErrorType.Network, `SMTP ${e.code}: ${detail}`, { code: e.code, cause: err });
  // An unclassified failure (a dropped connection mid-command) is treated as transient:
  // retrying costs little, giving up loses a message.
  return new DeliveryError(DeliveryErrorType.Network, `SMTP error: ${detail}`, { code: e.code, cause: err });
}


// Relays differ (Postfix's default message_size_limit is 10,240,000 bytes of encoded mail,
// and base64 or quoted-printable adds up to a third to both parts): 2 MiB of rendered html
// and text fits every common relay, and is far past what any inbox shows unclipped.
const LIMITS: ChannelLimits = {
  lengths: [
    { field: 'subject', unit: 'chars', max: EMAIL_SUBJECT_MAX_CHARS },
    { field: 'body', unit: 'bytes', max: 2 * 1024 * 1024 },
  ],
  supportsRecall: false,
  supportsReceipts: false,
};

const ConfigSchema = z
  .strictObject({
    url: secret(z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL'), 'The server as `smtp://user:pass@host:port` (or `smtps://`), instead of `host`, `port`, `secure` and `auth`.').optional(),
    host: z.string().min(1).max(253).optional().meta({ description: "The SMTP server's host name (or give `url`)." }),
    port: z.number().int().min(1).max(65_535).optional().meta({ description: 'Default 587, or 465 with `secure`.' }),
    secure: z.boolean().optional().meta({ description: 'TLS from the first byte (port 465); otherwise STARTTLS when the server offers it.' }),
    auth: secret(z.strictObject({ user: z.string().min(1), pass: z.string().min(1) }), 'The login: `{ "user": …, "pass": … }`.').optional(),
    from: z.string().min(3).max(320).meta({ description: 'The From address: `Herald <noreply@example.com>`.' }),
    maxConnections: z.number().int().min(1).max(100).optional().meta({ description: 'Pooled connections per server (default 5).' }),
    socketTimeoutMs: z.number().int().min(1000).max(600_000).optional().meta({ description: 'How long the server may stay silent before the attempt fails and is retried (default 30000).' }),
  })
  .refine((c) => c.url !== undefined || c.host !== undefined, { message: 'give url or host', path: ['host'] });

/** `sender`: where nodemailer runs (smtp-threads.ts; HERALD_SMTP_THREADS), the event loop unless given. */
export function createSmtpAdapter(sender: SmtpSender = createSmtpSender(0)): ChannelAdapter<SmtpConfig, EmailMessage> {
  return {
    kind: 'smtp',
    channel: 'email',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: measureEmail,

    async send(message: EmailMessage, config: SmtpConfig): Promise<SendResult> {
      enforceLimits('smtp', LIMITS, measureEmail(message));
      try {
        const info = await sender.send(config, message.priority === 'high' ? 'high' : 'normal', {
          from: config.from,
          to: message.to,
          subject: message.content.subject,
          html: message.content.html,
          text: message.content.text,
          messageId: message.messageId,
          headers: message.headers,
          ...extraMailFields(message),
          // Bounces go to the envelope sender: the per-delivery VERP address when one is set.
          ...(message.envelopeFrom ? { envelope: { from: message.envelopeFrom, to: envelopeRecipients(message) } } : {}),
        });
        // A refused cc or bcc does not fail the recipient's delivery: their copy was accepted.
        if (info.rejected.some((r) => String(r).toLowerCase() === message.to.toLowerCase())) {
          throw Object.assign(new Error(`recipient rejected: ${info.response}`), { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' });
        }
        return { providerMessageId: info.messageId ?? message.messageId };
      } catch (err) {
        throw err instanceof DeliveryError ? err : classifySmtpError(err);
      }
    },

    close: () => sender.close(),
  };
}
