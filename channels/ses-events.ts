// SES bounce, complaint and delivery notifications, as SES puts them in an SNS message: identity
// notifications carry `notificationType`, configuration-set event publishing `eventType`; both
// name the sent message by `mail.messageId`, the MessageId SendEmail answered.
import { z } from 'zod';

const Recipient = z.object({ emailAddress: z.string(), status: z.string().optional(), diagnosticCode: z.string().optional() });

const SesEvent = z.object({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  mail: z.object({ messageId: z.string().min(1) }),
  bounce: z.object({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: z.array(Recipient).default([]) }).optional(),
  complaint: z.object({ complainedRecipients: z.array(Recipient).default([]), complaintFeedbackType: z.string().optional() }).optional(),
  delivery: z.object({ smtpResponse: z.string().optional() }).optional(),
});

/** What one notification says about the message it names. */
export type SesFeedback =
  | { kind: 'bounce'; permanent: boolean; messageId: string; addresses: string[]; reason: string; code: string | undefined }
  | { kind: 'complaint'; messageId: string; addresses: string[]; reason: string }
  | { kind: 'delivery'; messageId: string };

/** The feedback in an SNS Message, undefined for other SES events (Send, Open, Reject…), a problem for what is not SES's. */
export function readSesFeedback(message: string): SesFeedback | undefined | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { problem: 'the SNS Message is not JSON' };
  }
  const parsed = SesEvent.safeParse(json);
  if (!parsed.success) return { problem: `not an SES notification: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` };
  const e = parsed.data;
  const messageId = e.mail.messageId;
  const type = e.notificationType ?? e.eventType;
  if (type === 'Bounce' && e.bounce) {
    const first = e.bounce.bouncedRecipients[0];
    const reason = first?.diagnosticCode ?? `SES reported a ${e.bounce.bounceType} bounce${e.bounce.bounceSubType ? ` (${e.bounce.bounceSubType})` : ''}`;
    return { kind: 'bounce', permanent: e.bounce.bounceType === 'Permanent', messageId, addresses: e.bounce.bouncedRecipients.map((r) => r.emailAddress), reason, code: first?.status ?? e.bounce.bounceSubType };
  }
  if (type === 'Complaint' && e.complaint) {
    const feedback = e.complaint.complaintFeedbackType;
    return { kind: 'complaint', messageId, addresses: e.complaint.complainedRecipients.map((r) => r.emailAddress), reason: `the recipient marked the message as spam${feedback ? ` (${feedback})` : ''}` };
  }
  if (type === 'Delivery') return { kind: 'delivery', messageId };
  return undefined;
}
