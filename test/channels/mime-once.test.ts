// channels/mime-once.ts: a message built with its parts encoded once reads, to a mail parser,
// exactly as nodemailer's composer writes it for the same fields; the parts are encoded once
// per distinct content and the cache stays within its budget.
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { describe, expect, it } from 'vitest';
import { createMimeOnce } from '../../channels/mime-once.js';

const mail = (i: number, html = '<p>Grüße, <b>Leser</b> — the sale starts now.</p>'.repeat(40)): Mail.Options => ({
  from: 'Herald Ünïcode <noreply@herald.test>',
  to: `Reader ${i} <reader${i}@example.com>`,
  cc: ['boss@example.com'],
  bcc: ['audit@example.com'],
  replyTo: 'Support <help@herald.test>',
  subject: `Frühlingsangebot ${i}: 30 % off, a subject long enough to be folded over more than one header line`,
  text: 'Every jacket is 30 % off until Sunday. Größen S–XL. '.repeat(30),
  html,
  messageId: `<m${i}.01jf@herald.test>`,
  headers: { 'List-Unsubscribe': `<https://herald.test/u/${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Herald-Notification': 'ntf_1' },
});

/** What a reader sees of a message: its headers (less the per-build Date and boundaries) and its parts. */
function seen(m: ParsedMail) {
  const headers = m.headerLines.filter((h) => !['date', 'content-type', 'mime-version'].includes(h.key)).map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim()]);
  return { headers: Object.fromEntries(headers.map(([k, v]) => [k, k === 'subject' ? m.subject : v])), text: m.text, html: m.html, contentType: m.headers.get('content-type') && (m.headers.get('content-type') as { value: string }).value };
}

describe('MIME built once per distinct content', () => {
  it('reads as nodemailer’s composer writes it: every header, the text and the html, and no Bcc', async () => {
    const once = createMimeOnce();
    // The first message of a content is left to the composer; from the second on, its parts come from the cache.
    expect(await once.build(mail(0))).toBeUndefined();
    for (const i of [1, 2]) {
      const composed = await simpleParser(await new MailComposer(mail(i)).compile().build());
      const raw = await once.build(mail(i));
      expect(raw).toBeDefined();
      const built = await simpleParser(raw as Buffer);
      expect(seen(built)).toEqual(seen(composed));
      expect(built.headerLines.some((h) => h.key === 'bcc')).toBe(false);
      expect(built.subject).toBe(mail(i).subject);
      expect(built.html).toBe(mail(i).html);
    }
  });

  it('encodes each distinct part once: many recipients of one content share two parts; html that never repeats is never kept', async () => {
    const once = createMimeOnce();
    for (let i = 0; i < 50; i += 1) await once.build(mail(i));
    expect(once.size().parts).toBe(2);
    // Tracking gives every recipient's html its own pixel: the text comes from the cache, the html is encoded for each.
    for (let i = 0; i < 50; i += 1) {
      const html = `${mail(i).html as string}<img src="https://herald.test/o/${i}.gif">`;
      const built = await simpleParser((await once.build(mail(i, html))) as Buffer);
      expect(built.html).toBe(html);
      expect(built.text).toBe(mail(i).text);
    }
    expect(once.size().parts).toBe(2);
  });

  it('keeps its parts within the budget, the least recently used going first', async () => {
    const once = createMimeOnce(30_000);
    const contents = Array.from({ length: 20 }, (_, n) => `<p>campaign ${n}</p>`.repeat(200));
    for (const html of contents) for (const i of [1, 2]) await once.build(mail(i, html));
    expect(once.size().bytes).toBeLessThanOrEqual(30_000);
    expect(once.size().parts).toBeLessThan(21);
    // The newest campaign's html is still there: its next message reads it from the cache.
    expect((await simpleParser((await once.build(mail(3, contents[19]))) as Buffer)).html).toBe(contents[19]);
  });

  it('hands nodemailer what only its composer builds: attachments, or a message without both parts', () => {
    const once = createMimeOnce();
    expect(once.handles(mail(1))).toBe(true);
    expect(once.handles({ ...mail(1), attachments: [{ filename: 'a.txt', content: 'x' }] })).toBe(false);
    expect(once.handles({ ...mail(1), html: undefined })).toBe(false);
  });
});
