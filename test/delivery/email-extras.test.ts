// Reply-to, cc, bcc, attachments (base64 or by URL) and inline images, through the whole
// stack: API → Temporal → worker → the SMTP server the test starts, whose received MIME is
// parsed with mailparser. URL files come from an HTTP server the test starts, reached
// through the outbound guard.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251))]);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const CSV = Buffer.from('id,total\n1,42\n2,7\n');

describe('email extras: reply-to, cc, bcc, attachments and inline images', () => {
  let stack: TestStack;
  let files: Server;
  let filesUrl: string;
  const hits = new Map<string, number>();
  /** Per path: status, content type and body the file server answers. */
  const answers = new Map<string, (hit: number) => { status: number; type: string; body: Buffer }>();

  async function send(body: Record<string, unknown>) {
    const r = await stack.request('POST', '/v1/notifications', { template: 'report', data: { month: 'May' }, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return waitForFinal(stack, r.body.id as string, 60_000);
  }

  async function deliveries(id: string): Promise<{ userId: string; status: string; reason: string | null }[]> {
    return (await stack.request('GET', `/v1/notifications/${id}/deliveries?limit=200`)).body.items;
  }

  const received = (id: string) => stack.smtp.mails().filter((m) => m.headers['x-herald-notification'] === id);

  beforeAll(async () => {
    files = createServer((req, res) => {
      const path = req.url ?? '/';
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      const answer = answers.get(path)?.(hit) ?? { status: 404, type: 'text/plain', body: Buffer.from('no such file') };
      res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': answer.body.length });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

    stack = await startStack();
    expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const put = await stack.request('PUT', '/v1/templates/report', {
      email: { subject: 'Report for {{month}}', html: '<p><img src="cid:logo@herald" alt="logo"> Your {{month}} report is attached.</p>', text: 'Your {{month}} report is attached.' },
      inapp: { title: 'Report', body: 'Your {{month}} report' },
      variables: { type: 'object', required: ['month'], properties: { month: { type: 'string' } } },
      exampleData: { month: 'May' },
    });
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
    expect((await stack.request('POST', '/v1/templates/report/publish')).status).toBe(201);
    for (const [id, email] of [['ada', 'ada@example.com'], ['bob', 'bob@example.com']]) {
      expect((await stack.request('PUT', `/v1/users/${id}`, { name: id, email })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => files?.close(resolve));
  });

  it('sends base64 and URL attachments, an inline cid image, reply-to, cc and bcc; the URL is fetched once for all recipients and the bytes stay out of the workflow history', async () => {
    answers.set('/report.csv', () => ({ status: 200, type: 'text/csv; charset=utf-8', body: CSV }));
    const r = await stack.request('POST', '/v1/notifications', {
      template: 'report',
      data: { month: 'May' },
      to: { userIds: ['ada', 'bob'] },
      channels: ['email'],
      email: {
        replyTo: ['finance@example.com'],
        cc: ['manager@example.com'],
        bcc: ['archive@example.com'],
        attachments: [
          { filename: 'May report.pdf', contentType: 'application/pdf', content: PDF.toString('base64') },
          { filename: 'logo.png', contentType: 'image/png', content: PNG.toString('base64'), contentId: 'logo@herald' },
          { filename: 'report.csv', contentType: 'text/csv', url: `${filesUrl}/report.csv` },
        ],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const n = await waitForFinal(stack, r.body.id, 60_000);
    expect(n.counts.sent).toBe(2);
    expect(hits.get('/report.csv')).toBe(1);

    const mails = received(r.body.id);
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(['ada@example.com', 'bob@example.com']);
    for (const mail of mails) {
      // bcc is an envelope recipient of every message, and in no header.
      expect(mail.envelopeTo).toEqual([expect.stringMatching(/^(ada|bob)@example\.com$/), 'manager@example.com', 'archive@example.com']);
      expect(mail.raw).not.toMatch(/^bcc:/im);
      expect(mail.raw).not.toContain('archive@example.com');
      // keepCidLinks: mailparser would otherwise turn the cid reference into a data: URL.
      const parsed = await simpleParser(mail.raw, { keepCidLinks: true });
      expect(parsed.replyTo?.value.map((a) => a.address)).toEqual(['finance@example.com']);
      expect((Array.isArray(parsed.cc) ? parsed.cc : [parsed.cc]).flatMap((a) => a?.value.map((v) => v.address))).toEqual(['manager@example.com']);
      expect(parsed.bcc).toBeUndefined();
      const byName = new Map(parsed.attachments.map((a) => [a.filename, a]));
      expect([...byName.keys()].sort()).toEqual(['May report.pdf', 'logo.png', 'report.csv']);
      expect(byName.get('May report.pdf')).toMatchObject({ contentType: 'application/pdf', contentDisposition: 'attachment' });
      expect(byName.get('May report.pdf')?.content.equals(PDF)).toBe(true);
      expect(byName.get('report.csv')).toMatchObject({ contentType: 'text/csv', contentDisposition: 'attachment' });
      expect(byName.get('report.csv')?.content.equals(CSV)).toBe(true);
      const logo = byName.get('logo.png');
      expect(logo).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline', cid: 'logo@herald', related: true });
      expect(logo?.content.equals(PNG)).toBe(true);
      expect(parsed.html).toContain('src="cid:logo@herald"');
    }

    const stored = await stack.db.selectFrom('notification_attachments').select(['position', 'url', 'content']).where('notification_id', '=', r.body.id).orderBy('position').execute();
    expect(stored.map((a) => a.content?.length)).toEqual([PDF.length, PNG.length, CSV.length]);
    const history = JSON.stringify(await stack.client.workflow.getHandle(r.body.id).fetchHistory());
    expect(history).not.toContain(PDF.toString('base64').slice(0, 200));
  });

  it('a file server that answers 503 is retried, and the message then carries the file', async () => {
    answers.set('/flaky.csv', (hit) => (hit === 1 ? { status: 503, type: 'text/plain', body: Buffer.from('busy') } : { status: 200, type: 'text/csv', body: CSV }));
    const n = await send({ to: { userIds: ['ada'] }, channels: ['email'], email: { attachments: [{ filename: 'flaky.csv', url: `${filesUrl}/flaky.csv` }] } });
    expect(n.counts.sent).toBe(1);
    expect(hits.get('/flaky.csv')).toBe(2);
    const parsed = await simpleParser(received(n.id)[0]?.raw ?? '');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.equals(CSV)])).toEqual([['flaky.csv', 'text/csv', true]]);
  });

  it('a URL file of another media type, past the tenant limit, missing, or on a private address the tenant does not allow fails the delivery with the reason', async () => {
    answers.set('/page.html', () => ({ status: 200, type: 'text/html', body: Buffer.from('<html>login</html>') }));
    answers.set('/big.bin', () => ({ status: 200, type: 'application/octet-stream', body: Buffer.alloc(64 * 1024, 1) }));
    expect((await stack.request('PATCH', '/v1/tenant', { maxAttachmentBytes: 32 * 1024 })).status).toBe(200);
    try {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ filename: 'a.pdf', contentType: 'application/pdf', url: `${filesUrl}/page.html` }, /answered text\/html, not the declared application\/pdf/],
        [{ filename: 'big.bin', url: `${filesUrl}/big.bin` }, /answered more than 32768 bytes/],
        [{ filename: 'gone.pdf', url: `${filesUrl}/gone.pdf` }, /attachment URL answered 404/],
      ];
      for (const [attachment, reason] of cases) {
        const n = await send({ to: { userIds: ['ada'] }, channels: ['email'], email: { attachments: [attachment] } });
        const [d] = await deliveries(n.id);
        expect(d?.status).toBe('failed');
        expect(d?.reason).toMatch(reason);
        expect(received(n.id)).toHaveLength(0);
      }
      expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: [] })).status).toBe(200);
      answers.set('/ok.csv', () => ({ status: 200, type: 'text/csv', body: CSV }));
      const guarded = await send({ to: { userIds: ['ada'] }, channels: ['email'], email: { attachments: [{ filename: 'ok.csv', url: `${filesUrl}/ok.csv` }] } });
      const [d] = await deliveries(guarded.id);
      expect(d?.status).toBe('failed');
      expect(d?.reason).toMatch(/refused to connect: 127\.0\.0\.1 is a private, loopback or link-local address/);
      expect(hits.get('/ok.csv')).toBeUndefined();
    } finally {
      expect((await stack.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'], maxAttachmentBytes: 10 * 1024 * 1024 })).status).toBe(200);
    }
  });

  it('a resend carries the attachments, cc and bcc of the notification it resends; without a declared type the extension gives it', async () => {
    const n = await send({ to: { userIds: ['bob'] }, channels: ['email'], email: { bcc: ['audit@example.com'], attachments: [{ filename: 'r.pdf', content: PDF.toString('base64') }] } });
    const resent = await stack.request('POST', `/v1/notifications/${n.id}/resend`, {});
    expect(resent.status, JSON.stringify(resent.body)).toBe(202);
    await waitForFinal(stack, resent.body.id, 60_000);
    const [mail] = received(resent.body.id);
    expect(mail?.envelopeTo).toEqual(['bob@example.com', 'audit@example.com']);
    expect((await simpleParser(mail?.raw ?? '')).attachments.map((a) => [a.filename, a.contentType, a.content.equals(PDF)])).toEqual([['r.pdf', 'application/pdf', true]]);
  });

  it('422 naming the field for bad base64, a bad address, a bad media type or URL, content and url both, a contentId twice, too many bytes, or no email channel; nothing is stored', async () => {
    const before = await stack.db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect((await stack.request('PATCH', '/v1/tenant', { maxAttachmentBytes: 2000 })).status).toBe(200);
    const file = (extra: Record<string, unknown>) => ({ filename: 'f.bin', ...extra });
    const cases: [Record<string, unknown>, string][] = [
      [{ attachments: [file({ content: 'not base64!' })] }, 'email.attachments[0].content: not base64'],
      [{ cc: ['ok@example.com', 'nobody'] }, 'email.cc[1]: "nobody" is not an email address'],
      [{ replyTo: ['a b@example.com'] }, 'email.replyTo[0]: "a b@example.com" is not an email address'],
      [{ bcc: ['@example.com'] }, 'email.bcc[0]: "@example.com" is not an email address'],
      [{ attachments: [file({ content: 'AAAA', contentType: 'pdf' })] }, 'email.attachments[0].contentType: "pdf" is not a media type, e.g. application/pdf'],
      [{ attachments: [file({ url: 'ftp://example.com/f.bin' })] }, 'email.attachments[0].url: ftp: is not http(s)'],
      [{ attachments: [file({ content: 'AAAA', url: 'https://example.com/f.bin' })] }, 'email.attachments[0]: give either content (base64) or url'],
      [{ attachments: [file({ content: 'AAAA', contentId: 'x' }), file({ content: 'AAAA', contentId: 'x' })] }, 'email.attachments[1].contentId: "x" is used twice'],
      [{ attachments: [file({ content: Buffer.alloc(1500).toString('base64') }), file({ content: Buffer.alloc(600).toString('base64') })] }, "email.attachments[1].content: the attachments come to more than this tenant's 2000 bytes (maxAttachmentBytes)"],
    ];
    try {
      for (const [email, message] of cases) {
        const r = await stack.request('POST', '/v1/notifications', { template: 'report', data: { month: 'May' }, to: { userIds: ['ada'] }, email });
        expect(r.status, JSON.stringify(r.body)).toBe(422);
        expect(r.body.error).toMatchObject({ code: 'invalid_email_options', message });
      }
      const inappOnly = await stack.request('POST', '/v1/notifications', { template: 'report', data: { month: 'May' }, to: { userIds: ['ada'] }, channels: ['inapp'], email: { cc: ['a@example.com'] } });
      expect(inappOnly.status).toBe(422);
      expect(inappOnly.body.error.message).toBe('email: reply-to, cc, bcc and attachments need the email channel');
    } finally {
      expect((await stack.request('PATCH', '/v1/tenant', { maxAttachmentBytes: 10 * 1024 * 1024 })).status).toBe(200);
    }
    const after = await stack.db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
