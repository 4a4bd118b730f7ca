// Amazon SES v2 through the official SDK: SendEmail (`POST /v2/email/outbound-emails`, SigV4
// signed by the SDK) with Simple content (subject, html, text, headers) or a Raw MIME message
// built by nodemailer's composer. The answer's MessageId is the provider message id.
import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { z } from 'zod';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { awsClientSettings, awsConfigShape, awsDeliveryError, createClientCache, type AwsConfig } from './aws.js';
import { requireChannel, requireConfig } from './http.js';
import { EMAIL_SUBJECT_MAX_CHARS, enforceLimits, measureEmail } from './limits.js';
import { extraMailFields } from './mail-fields.js';
import { receiptToken } from './sms-reports.js';
import type { ChannelAdapter, ChannelLimits, EmailMessage, SendResult } from './types.js';

export interface SesConfig extends AwsConfig {
  /** A verified identity: `Herald <noreply@example.com>`. */
  from: string;
  configurationSetName?: string | undefined;
  /** `simple` (default): SES builds the MIME message; `raw`: Herald does, keeping every header as given. */
  content?: 'simple' | 'raw' | undefined;
  /** Makes the SNS notification URL unguessable: /v1/receipts/<provider id>/sns/<receiptToken>. */
  receiptToken?: string | undefined;
}

const ConfigSchema = z.strictObject({
  ...awsConfigShape,
  from: z.string().min(3).max(320).meta({ description: 'A verified identity: `Herald <noreply@example.com>`.' }),
  configurationSetName: z.string().min(1).max(64).optional().meta({ description: 'The SES configuration set to send with (event publishing, dedicated IPs).' }),
  content: z.enum(['simple', 'raw']).optional().meta({ description: '`simple` (default): SES builds the MIME message; `raw`: Herald does, keeping every header as given.' }),
  receiptToken: receiptToken.meta({ description: 'A secret of your choice (16+ characters) for the SNS subscription that carries SES bounce, complaint and delivery notifications: subscribe `<HERALD_PUBLIC_URL>/v1/receipts/<provider id>/sns/<receiptToken>` (HTTPS) to the topic. Without it, notifications are refused.', writeOnly: true }),
});

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
// SES takes 40 MB for a whole message after MIME encoding, which adds up to a third: the
// rendered html and text get three quarters of it. 14 messages per second is the default
// sending rate of an account out of the sandbox.
const LIMITS: ChannelLimits = {
  lengths: [
    { field: 'subject', unit: 'chars', max: EMAIL_SUBJECT_MAX_CHARS },
    { field: 'body', unit: 'bytes', max: 30 * 1024 * 1024 },
  ],
  ratePerSecond: 14,
  supportsRecall: false,
  supportsReceipts: true,
};

// SES v2 SendEmail errors (API reference, SendEmail "Errors") that no retry or other provider fixes.
const CONFIG_ERRORS = new Set(['AccountSuspendedException', 'SendingPausedException', 'MailFromDomainNotVerifiedException', 'NotFoundException']);
const REJECTED = new Set(['MessageRejected', 'BadRequestException']);

function sesErrorType(name: string): DeliveryErrorType | undefined {
  if (CONFIG_ERRORS.has(name)) return DeliveryErrorType.ProviderConfig;
  if (REJECTED.has(name)) return DeliveryErrorType.Rejected;
  // A sending quota that is spent (the daily one) comes back: later is worth trying.
  if (name === 'LimitExceededException') return DeliveryErrorType.RateLimited;
  return undefined;
}

async function rawMime(message: EmailMessage, from: string): Promise<Uint8Array> {
  const composer = new MailComposer({
    from,
    to: message.to,
    subject: message.content.subject,
    html: message.content.html,
    text: message.content.text,
    messageId: message.messageId,
    headers: message.headers,
    ...extraMailFields(message),
  });
  return composer.compile().build();
}

export function createSesAdapter(): ChannelAdapter<SesConfig, EmailMessage> {
  const clients = createClientCache<SESv2Client>();

  return {
    kind: 'ses',
    channel: 'email',
    limits: LIMITS,
    measure: measureEmail,

    configSchema: ConfigSchema,

    async send(message: EmailMessage, config: SesConfig): Promise<SendResult> {
      requireChannel(message.channel, 'email', 'ses');
      const from = requireConfig(config.from, 'ses', 'from');
      if (!EMAIL.test(message.to)) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `ses: ${message.to} is not an email address`, { code: 'EINVALIDADDRESS' });
      const { subject, html, text } = message.content;
      if (!html && !text) throw new DeliveryError(DeliveryErrorType.Content, 'ses: the message has neither html nor text', { code: 'EEMPTY' });
      enforceLimits('ses', LIMITS, measureEmail(message));
      const client = clients.get(config, () => new SESv2Client(awsClientSettings(config, 'ses')));

      let content: SendEmailCommandInput['Content'];
      // Simple content cannot carry files: a message with attachments goes as raw MIME.
      if (config.content === 'raw' || message.attachments?.length) {
        content = { Raw: { Data: await rawMime(message, from) } };
      } else {
        const headers = Object.entries(message.headers ?? {}).map(([Name, Value]) => ({ Name, Value }));
        content = {
          Simple: {
            Subject: { Data: subject, Charset: 'UTF-8' },
            Body: {
              ...(text ? { Text: { Data: text, Charset: 'UTF-8' } } : {}),
              ...(html ? { Html: { Data: html, Charset: 'UTF-8' } } : {}),
            },
            ...(headers.length ? { Headers: headers } : {}),
          },
        };
      }
      try {
        const out = await client.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: [message.to], ...(message.cc?.length ? { CcAddresses: message.cc } : {}), ...(message.bcc?.length ? { BccAddresses: message.bcc } : {}) },
            ...(message.replyTo?.length ? { ReplyToAddresses: message.replyTo } : {}),
            Content: content,
            ...(config.configurationSetName ? { ConfigurationSetName: config.configurationSetName } : {}),
          }),
        );
        if (!out.MessageId) throw new DeliveryError(DeliveryErrorType.Unavailable, 'ses: answer without a MessageId', { code: 'EBADANSWER' });
        return { providerMessageId: out.MessageId };
      } catch (err) {
        throw awsDeliveryError('ses', err, sesErrorType);
      }
    },

    async close(): Promise<void> {
      clients.close();
    },
  };
}
