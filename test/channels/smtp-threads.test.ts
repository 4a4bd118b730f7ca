// SMTP on worker threads (channels/smtp-threads.ts) against a real SMTP server: what crosses
// the thread boundary (the message, its attachment bytes, the server's refusals) arrives as it
// would in the event loop, a thread that dies fails only what it held and is replaced, and
// close ends the threads.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { createSmtpAdapter } from '../../channels/smtp.js';
import { createSmtpSender } from '../../channels/smtp-threads.js';
import type { EmailMessage } from '../../channels/types.js';
import { startCaptureSmtp, type CaptureSmtp } from '../../local/capture-smtp.js';

const mail = (to: string, extra: Partial<EmailMessage> = {}): EmailMessage =>
  ({ to, content: { subject: `Hello ${to}`, text: 'plain body', html: '<p>html body</p>' }, messageId: `<${to}.1@herald.test>`, headers: { 'List-Unsubscribe': '<https://herald.test/u/1>' }, priority: 'low', ...extra }) as EmailMessage;

describe('SMTP on worker threads', () => {
  let smtp: CaptureSmtp;
  const from = 'Herald <noreply@herald.test>';
  beforeAll(async () => {
    smtp = await startCaptureSmtp({
      respond: (stage, { to }) => {
        if (stage === 'rcpt' && to.startsWith('gone@')) return { code: 550, message: '5.1.1 No such user here' };
        if (stage === 'rcpt' && to.startsWith('later@')) return { code: 451, message: '4.3.0 Try again later' };
        return undefined;
      },
      delayMs: (to) => (to.startsWith('slow@') ? 30_000 : 0),
    });
  });
  afterAll(() => smtp?.close());

  it('sends from two threads: every message arrives once with its headers, envelope sender and attachment bytes', async () => {
    const sender = createSmtpSender(2);
    const adapter = createSmtpAdapter(sender);
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    const before = smtp.mails().length;
    try {
      const sent = await Promise.all(
        Array.from({ length: 12 }, (_, i) => adapter.send(mail(`reader${i}@example.com`, { envelopeFrom: `b+${i}@bounce.herald.test`, attachments: [{ filename: 'data.bin', content: bytes, contentType: 'application/octet-stream' }] }), { url: smtp.url, from })),
      );
      expect(sent.map((s) => s.providerMessageId)).toEqual(Array.from({ length: 12 }, (_, i) => `<reader${i}@example.com.1@herald.test>`));
      expect(sender.running()).toHaveLength(2);
      const got = smtp.mails().slice(before);
      expect(got.map((m) => m.envelopeTo[0]).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `reader${i}@example.com`).sort());
      const one = got.find((m) => m.envelopeTo[0] === 'reader3@example.com');
      expect(one).toMatchObject({ envelopeFrom: 'b+3@bounce.herald.test', subject: 'Hello reader3@example.com', messageId: '<reader3@example.com.1@herald.test>' });
      const parsed = await simpleParser(one?.raw ?? '');
      expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line).toBe('List-Unsubscribe: <https://herald.test/u/1>');
      expect(parsed.attachments[0]?.content.equals(bytes)).toBe(true);
    } finally {
      await adapter.close();
    }
  });

  it('classifies a refusal on a thread as the event loop would: 550 at RCPT is a permanent invalid recipient, 451 a transient one', async () => {
    const adapter = createSmtpAdapter(createSmtpSender(1));
    try {
      const gone = await adapter.send(mail('gone@example.com'), { url: smtp.url, from }).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(DeliveryError);
      expect(gone).toMatchObject({ type: DeliveryErrorType.InvalidRecipient, permanent: true });
      expect((gone as Error).message).toContain('5.1.1 No such user here');
      const later = await adapter.send(mail('later@example.com'), { url: smtp.url, from }).catch((e: unknown) => e);
      expect(later).toMatchObject({ type: DeliveryErrorType.Unavailable, permanent: false });
      expect((later as Error).message).toContain('SMTP 451 at RCPT TO');
    } finally {
      await adapter.close();
    }
  });

  it('a thread that dies mid-send fails what it held as transient, and the next send gets a new thread', async () => {
    const sender = createSmtpSender(1);
    const adapter = createSmtpAdapter(sender);
    try {
      await adapter.send(mail('first@example.com'), { url: smtp.url, from });
      const [thread] = sender.running();
      const abandoned = smtp.abandoned();
      // The server holds this one's DATA for 30 s: the thread dies while it waits.
      const held = adapter.send(mail('slow@example.com'), { url: smtp.url, from }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 300));
      await thread?.terminate();
      const failed = await held;
      expect(failed).toBeInstanceOf(DeliveryError);
      expect(failed).toMatchObject({ type: DeliveryErrorType.Network, permanent: false });
      expect((failed as Error).message).toMatch(/SMTP thread exited/);
      // The server had the message and saw the connection drop before it answered: the thread died mid-send.
      await vi.waitFor(() => expect(smtp.abandoned()).toBe(abandoned + 1));
      await adapter.send(mail('after@example.com'), { url: smtp.url, from });
      expect(sender.running()).toHaveLength(1);
      expect(sender.running()[0]).not.toBe(thread);
      expect(smtp.mails().some((m) => m.envelopeTo[0] === 'after@example.com')).toBe(true);
    } finally {
      await adapter.close();
    }
  });

  it('close ends every thread', async () => {
    const sender = createSmtpSender(2);
    const adapter = createSmtpAdapter(sender);
    await Promise.all([adapter.send(mail('c1@example.com'), { url: smtp.url, from }), adapter.send(mail('c2@example.com'), { url: smtp.url, from })]);
    const threads = sender.running();
    expect(threads).toHaveLength(2);
    const exits = threads.map((t) => new Promise<number>((r) => t.once('exit', r)));
    await adapter.close();
    expect(await Promise.all(exits)).toHaveLength(2);
    expect(sender.running()).toHaveLength(0);
  });
});
