// Bounce processing end to end, against both analytics stores: Herald sends through a real
// SMTP server with a VERP return path; a real RFC 3464 delivery status notification (a
// multipart/report written out here per the RFC) is then delivered over SMTP, with
// nodemailer, to Herald's bounce receiver, which must turn a 5.x.x failure into a `bounced`
// delivery, an analytics event and a suppressed address, refuse forged return paths at RCPT,
// and only note a delay. The return path's MAC is computed here, independently of Herald.
import { createHmac, randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpAdapter } from '../../channels/smtp.js';
import { verifyBounceAddress } from '../../domain/links/bounce-address.js';
import { startBounceReceiver, type BounceReceiver } from '../../inbound/bounce-receiver.js';
import { dsnOutcome, parseDeliveryStatus, recipientFor } from '../../inbound/dsn.js';
import { startCaptureSmtp, type Responder } from '../../local/capture-smtp.js';
import { startClickHouse } from '../../local/clickhouse.js';
import { eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const BOUNCE_DOMAIN = 'Bounces.Herald.Test';

const responder: Responder = (stage, { to }) => (stage === 'rcpt' && to.startsWith('nobody@') ? { code: 550, message: '5.1.1 <nobody@example.com>: Recipient address rejected: User unknown' } : undefined);

/** The return path Herald must use: `bounce+<delivery id>.<first 24 hex of the HMAC>@domain`. */
function expectedVerp(signingKey: string, deliveryId: string): string {
  const subKey = createHmac('sha256', signingKey).update('herald/bounce-address/v1').digest();
  const mac = createHmac('sha256', subKey).update(deliveryId).digest('hex').slice(0, 24);
  return `bounce+${deliveryId}.${mac}@bounces.herald.test`;
}

interface DsnSpec {
  /** Who the report is addressed to: the VERP return path. */
  returnPath: string;
  recipient: string;
  action: 'failed' | 'delayed' | 'delivered';
  status: string;
  diagnostic: string;
  originalMessageId: string;
  messageId?: string;
}

/**
 * A delivery status notification as Postfix writes one (RFC 3464 / RFC 6522): a human part,
 * the machine-readable message/delivery-status part (per-message fields, a blank line, the
 * per-recipient fields; Diagnostic-Code folded over two lines), and the returned headers.
 */
function dsnMessage(s: DsnSpec): string {
  const boundary = `=_report_${randomBytes(6).toString('hex')}`;
  // Folded at a space, as RFC 5322 allows; the unfolded value is the diagnostic again.
  const fold = s.diagnostic.indexOf(' ', 30);
  const [diagHead, diagTail] = fold > 0 ? [s.diagnostic.slice(0, fold), s.diagnostic.slice(fold + 1)] : [s.diagnostic, ''];
  return [
    'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
    `To: ${s.returnPath}`,
    `Subject: ${s.action === 'delayed' ? 'Delayed Mail (still being retried)' : 'Undelivered Mail Returned to Sender'}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${s.messageId ?? `${randomBytes(8).toString('hex')}@mx.example.net`}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.net.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    'X-Postfix-Queue-ID: 4F2A81C0123',
    `Arrival-Date: ${new Date().toUTCString()}`,
    '',
    `Final-Recipient: rfc822; ${s.recipient}`,
    `Original-Recipient: rfc822;${s.recipient}`,
    `Action: ${s.action}`,
    `Status: ${s.status}`,
    'Remote-MTA: dns; mail.example.com',
    `Diagnostic-Code: smtp; ${diagHead}`,
    ...(diagTail ? [`    ${diagTail}`] : []),
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${s.originalMessageId}`,
    'From: Herald <herald@localhost>',
    `To: ${s.recipient}`,
    'Subject: Welcome',
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** Delivers raw mail to the bounce receiver over SMTP with a null reverse path, like an MTA's DSN. */
async function deliverDsn(receiver: BounceReceiver, to: string, raw: string): Promise<{ ok: true } | { ok: false; code: number | undefined; command: string | undefined; response: string }> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
    return { ok: true };
  } catch (err) {
    const e = err as { responseCode?: number; command?: string; response?: string; message: string };
    return { ok: false, code: e.responseCode, command: e.command, response: e.response ?? e.message };
  } finally {
    transport.close();
  }
}

describe('delivery status notifications (pure)', () => {
  it('reads per-message and per-recipient fields, folded lines and comments', () => {
    const report = parseDeliveryStatus(
      [
        'Reporting-MTA: dns; mx.example.net',
        '',
        'Final-Recipient: rfc822; a@example.com',
        'Action: failed (permanent)',
        'Status: 5.2.2 (mailbox full)',
        'Diagnostic-Code: smtp; 552 5.2.2 Mailbox',
        '  full',
        '',
        'Final-Recipient: RFC822; <B@Example.com>',
        'Action: delayed',
        'Status: 4.4.1',
        '',
      ].join('\r\n'),
    );
    expect(report.reportingMta).toBe('mx.example.net');
    expect(report.recipients).toHaveLength(2);
    expect(report.recipients[0]).toMatchObject({ finalRecipient: 'a@example.com', action: 'failed', status: '5.2.2', diagnosticCode: '552 5.2.2 Mailbox full' });
    expect(dsnOutcome(report.recipients[0]!)).toBe('hard');
    expect(dsnOutcome(report.recipients[1]!)).toBe('soft');
    expect(recipientFor(report, 'b@example.com')?.action).toBe('delayed');
    expect(recipientFor(report, 'c@example.com')).toBeUndefined();
    expect(dsnOutcome({ finalRecipient: null, originalRecipient: null, action: 'failed', status: '4.4.7', diagnosticCode: null, remoteMta: null })).toBe('soft');
    expect(dsnOutcome({ finalRecipient: null, originalRecipient: null, action: 'delivered', status: '2.0.0', diagnosticCode: null, remoteMta: null })).toBe('none');
  });

  it('return paths signed with a rotated-out key still verify while that key is listed', () => {
    const oldKey = 'old-signing-key-0123456789abcdef';
    const id = 'dlv_01jqz8x2v7c4m2n9k5t3w6y8a1';
    const address = expectedVerp(oldKey, id);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(verifyBounceAddress(['new-signing-key-0123456789abcdef', oldKey], BOUNCE_DOMAIN, address)).toBe(id);
    expect(verifyBounceAddress('new-signing-key-0123456789abcdef', BOUNCE_DOMAIN, address)).toBeUndefined();
  });

  it('without HERALD_BOUNCE_DOMAIN the envelope sender stays the From address', async () => {
    const smtp = await startCaptureSmtp();
    const adapter = createSmtpAdapter();
    try {
      await adapter.send({ channel: 'email', messageId: '<m1@herald.test>', to: 'x@example.com', content: { subject: 'Hi', text: 'Hi' } }, { url: smtp.url, from: 'Herald <herald@localhost>' });
      const [mail] = await smtp.waitForCount(1);
      expect(mail?.envelopeFrom).toBe('herald@localhost');
    } finally {
      await adapter.close();
      await smtp.close();
    }
  });
});

interface Backend {
  name: string;
  start(): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

const backends: Backend[] = [
  { name: 'postgres', start: async () => ({ env: {}, stop: async () => {} }) },
  {
    name: 'clickhouse',
    async start() {
      const server = await startClickHouse();
      return { env: { CLICKHOUSE_URL: server.url }, stop: () => server.stop() };
    },
  },
];

describe.each(backends)('bounces end to end: $name', (backend) => {
  let stack: TestStack;
  let receiver: BounceReceiver;
  let stopBackend: () => Promise<void> = async () => {};
  const started = Date.now();

  const send = async (userId: string) => {
    const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: [userId] }, data: { name: userId } });
    expect(r.status).toBe(202);
    const done = await waitForFinal(stack, r.body.id as string);
    const deliveries = await stack.request('GET', `/v1/notifications/${done.id}/deliveries`);
    expect(deliveries.body.items).toHaveLength(1);
    return { notification: done, delivery: deliveries.body.items[0] };
  };
  const delivery = async (notificationId: string) => (await stack.request('GET', `/v1/notifications/${notificationId}/deliveries`)).body.items[0];
  /** The delivery's entries on the notification's timeline (without the notification's `finished`). */
  const timeline = async (notificationId: string) => {
    const r = await stack.request('GET', `/v1/notifications/${notificationId}/events?limit=200`);
    expect(r.status).toBe(200);
    return (r.body.items as any[]).filter((e) => e.deliveryId !== null);
  };
  const summary = async () => {
    await stack.workers.relay?.drain();
    const from = new Date(started - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const r = await stack.request('GET', `/v1/analytics/summary?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&interval=hour`);
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    const b = await backend.start();
    stopBackend = b.stop;
    stack = await startStack({ smtp: { respond: responder }, env: { ...b.env, HERALD_BOUNCE_DOMAIN: BOUNCE_DOMAIN } });
    // Composed as inbound/main.ts composes it; its events go to the store the API's are in (stack.analytics).
    receiver = await startBounceReceiver(stack.herald.bounces());
    expect((await stack.request('PUT', '/v1/templates/welcome', { email: { subject: 'Welcome', html: '<p>Hello {{name}}</p>', text: 'Hello {{name}}' } })).status).toBeLessThan(300);
    expect((await stack.request('POST', '/v1/templates/welcome/publish')).status).toBe(201);
    for (const u of ['ada', 'bob', 'cat', 'nobody']) expect((await stack.request('PUT', `/v1/users/${u}`, { name: u, email: `${u}@example.com` })).status).toBeLessThan(300);
  });

  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
    await stopBackend();
  });

  it('a 5.x.x DSN to the VERP return path bounces the delivery, records the event and suppresses the address', async () => {
    const { notification, delivery: d } = await send('ada');
    expect(d.status).toBe('sent');
    const mail = stack.smtp.mails().find((m) => m.envelopeTo.includes('ada@example.com'));
    const verp = expectedVerp(stack.config.signingKey, d.id);
    expect(mail?.envelopeFrom).toBe(verp);
    // The header From is unchanged: only the envelope carries the return path.
    expect(mail?.from).toContain('herald@localhost');

    const diagnostic = '550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown in virtual mailbox table';
    // The MTA may change the case of the return path; Herald's addresses survive it.
    const r = await deliverDsn(receiver, verp.toUpperCase(), dsnMessage({ returnPath: verp, recipient: 'ada@example.com', action: 'failed', status: '5.1.1', diagnostic, originalMessageId: d.messageId }));
    expect(r).toEqual({ ok: true });

    const bounced = await delivery(notification.id);
    expect(bounced).toMatchObject({ status: 'bounced', reason: diagnostic, errorCode: '5.1.1' });
    expect(bounced.failedAt).not.toBeNull();
    const n = (await stack.request('GET', `/v1/notifications/${notification.id}`)).body;
    expect(n.counts).toMatchObject({ total: 1, sent: 0, bounced: 1, failed: 0 });
    const events = await timeline(notification.id);
    expect(events.map((e) => e.event)).toEqual(['queued', 'sent', 'bounced']);
    expect(events[2]).toMatchObject({ deliveryId: d.id, reason: diagnostic, errorCode: '5.1.1', provider: 'smtp-default' });

    // The analytics store has exactly one bounced event (the same DSN again adds nothing).
    expect((await deliverDsn(receiver, verp, dsnMessage({ returnPath: verp, recipient: 'ada@example.com', action: 'failed', status: '5.1.1', diagnostic, originalMessageId: d.messageId }))).ok).toBe(true);
    const s = await summary();
    expect(s.totals.counts.bounced).toBe(1);

    const list = await stack.request('GET', '/v1/suppressions/email');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ address: 'ada@example.com', reason: 'bounced', status: '5.1.1', diagnostic, deliveryId: d.id })]);

    // The next send to the same user is suppressed, with the reason, and never reaches SMTP.
    const before = stack.smtp.mails().length;
    const second = await send('ada');
    expect(second.delivery).toMatchObject({ status: 'suppressed', reason: 'bounced' });
    expect(second.notification.counts).toMatchObject({ suppressed: 1, sent: 0 });
    expect(stack.smtp.mails()).toHaveLength(before);
    expect((await timeline(second.notification.id)).map((e) => [e.event, e.reason])).toContainEqual(['suppressed', 'bounced']);

    // Another tenant neither sees nor removes this tenant's suppressions.
    const b = await stack.request('POST', '/v1/tenants', { id: `b-${backend.name}`, name: 'B' });
    expect(b.status).toBe(201);
    const bKey = b.body.adminKey.key as string;
    expect((await stack.request('GET', '/v1/suppressions/email', undefined, { key: bKey })).body.items).toEqual([]);
    expect((await stack.request('DELETE', '/v1/suppressions/email/ada@example.com', undefined, { key: bKey })).status).toBe(404);
    expect((await stack.request('DELETE', '/v1/suppressions/email/not-an-address')).status).toBe(400);

    // Taking the address off the list lets mail go to it again.
    expect((await stack.request('DELETE', '/v1/suppressions/email/ADA@example.com')).status).toBe(204);
    expect((await stack.request('DELETE', '/v1/suppressions/email/ada@example.com')).status).toBe(404);
    expect((await send('ada')).delivery.status).toBe('sent');
  });

  it('refuses forged, garbled and foreign return paths at RCPT (550) and changes nothing', async () => {
    const { notification, delivery: d } = await send('bob');
    const verp = expectedVerp(stack.config.signingKey, d.id);
    const [local, domain] = verp.split('@') as [string, string];
    const lastHex = local.at(-1) === '0' ? '1' : '0';
    const forged = [
      `${local.slice(0, -1)}${lastHex}@${domain}`, // one MAC digit changed
      `bounce+${d.id}.${'0'.repeat(24)}@${domain}`,
      `bounce+${d.id}@${domain}`, // no MAC
      `bounce+not-a-token@${domain}`,
      `${local}@elsewhere.example`, // a valid token, but not our domain
      expectedVerp('some-other-signing-key-0123456789', d.id), // signed with another key
    ];
    for (const to of forged) {
      const r = await deliverDsn(receiver, to, dsnMessage({ returnPath: to, recipient: 'bob@example.com', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 User unknown', originalMessageId: d.messageId }));
      expect(r, to).toMatchObject({ ok: false, code: 550, command: 'RCPT TO' });
    }
    expect(await delivery(notification.id)).toMatchObject({ status: 'sent', reason: null });
    expect((await timeline(notification.id)).map((e) => e.event)).toEqual(['queued', 'sent']);
    const list = await stack.request('GET', '/v1/suppressions/email');
    expect(list.body.items.map((i: any) => i.address)).not.toContain('bob@example.com');
  });

  it('a delayed (4.x.x) DSN is noted on the timeline once and changes no status', async () => {
    const { notification, delivery: d } = await send('cat');
    const verp = expectedVerp(stack.config.signingKey, d.id);
    const diagnostic = '451 4.4.1 Connection timed out while talking to mail.example.com';
    const raw = dsnMessage({ returnPath: verp, recipient: 'cat@example.com', action: 'delayed', status: '4.4.1', diagnostic, originalMessageId: d.messageId, messageId: `delay-${d.id}@mx.example.net` });
    expect(await deliverDsn(receiver, verp, raw)).toEqual({ ok: true });
    // The same report delivered twice (a lost 250) is one entry.
    expect(await deliverDsn(receiver, verp, raw)).toEqual({ ok: true });
    // A report that is not a DSN (an auto-reply to the return path) is accepted and ignored.
    expect(await deliverDsn(receiver, verp, `From: cat@example.com\r\nTo: ${verp}\r\nSubject: Out of office\r\n\r\nBack on Monday.\r\n`)).toEqual({ ok: true });

    expect(await delivery(notification.id)).toMatchObject({ status: 'sent' });
    const events = await timeline(notification.id);
    expect(events.map((e) => e.event)).toEqual(['queued', 'sent', 'delayed']);
    expect(events[2]).toMatchObject({ reason: diagnostic, errorCode: '4.4.1', details: expect.objectContaining({ action: 'delayed', status: '4.4.1' }) });
    const n = (await stack.request('GET', `/v1/notifications/${notification.id}`)).body;
    expect(n.counts).toMatchObject({ sent: 1, bounced: 0 });
    const list = await stack.request('GET', '/v1/suppressions/email');
    expect(list.body.items.map((i: any) => i.address)).not.toContain('cat@example.com');
    // Still only ada's bounce in analytics.
    expect((await summary()).totals.counts.bounced).toBe(1);
  });

  it('an SMTP 5xx at RCPT stays `failed`, with the server reply and the stage in the reason', async () => {
    const { notification, delivery: d } = await send('nobody');
    expect(notification.status).toBe('failed');
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('550');
    expect(d.reason).toContain('5.1.1 <nobody@example.com>: Recipient address rejected: User unknown');
    expect(d.reason).toMatch(/RCPT TO/);
    // It is no bounce: nothing was sent, so nothing goes on the suppression list.
    await eventually(async () => ((await timeline(notification.id)).some((e) => e.event === 'failed') ? true : undefined));
    const list = await stack.request('GET', '/v1/suppressions/email');
    expect(list.body.items.map((i: any) => i.address)).not.toContain('nobody@example.com');
  });
});
