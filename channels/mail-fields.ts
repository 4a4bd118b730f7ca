// What an email carries beyond its content, as nodemailer's message fields: shared by the
// SMTP adapter and SES's raw MIME, so both put reply-to, cc, bcc and attachments the same way.
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { EmailMessage } from './types.js';

export function extraMailFields(message: EmailMessage): Pick<Mail.Options, 'replyTo' | 'cc' | 'bcc' | 'attachments'> {
  return {
    ...(message.replyTo?.length ? { replyTo: message.replyTo } : {}),
    ...(message.cc?.length ? { cc: message.cc } : {}),
    // nodemailer puts bcc in the envelope only, never in a header.
    ...(message.bcc?.length ? { bcc: message.bcc } : {}),
    ...(message.attachments?.length
      ? { attachments: message.attachments.map((a) => ({ filename: a.filename, content: a.content, ...(a.contentType ? { contentType: a.contentType } : {}), ...(a.contentId ? { cid: a.contentId } : {}) })) }
      : {}),
  };
}

/** Everyone the message goes to: the recipient, then cc and bcc. */
export function envelopeRecipients(message: EmailMessage): string[] {
  return [message.to, ...(message.cc ?? []), ...(message.bcc ?? [])];
}
