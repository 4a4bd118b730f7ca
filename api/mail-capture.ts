// The port the development mail page reads. The API only declares what it needs; the
// capture SMTP server (local/capture-smtp.ts) is plugged in by the dev entry point and the
// test kit, so nothing that runs in production imports dev tooling.

/** One message as the capture server received it. */
export interface CapturedMessage {
  id: number;
  receivedAt: string;
  envelopeFrom: string | null;
  envelopeTo: string[];
  messageId: string | null;
  subject: string;
  from: string;
  to: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
}

export interface MailCapture {
  /** What it has kept, oldest first. */
  mails(): readonly CapturedMessage[];
}
