// A real SMTP server that keeps what it receives, for development (the dashboard's
// captured mail) and for tests. `respond` lets a test make it refuse like a real server
// would: a 4xx or 5xx reply on RCPT or DATA.
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { CapturedMessage } from '../api/mail-capture.js';

/** What the dev mail page shows (the API's port), plus the raw message for tests. */
export interface CapturedMail extends CapturedMessage {
  raw: string;
}

export interface SmtpReply {
  code: number;
  message: string;
}

export type Responder = (stage: 'rcpt' | 'data', ctx: { to: string; attempt: number }) => SmtpReply | undefined;

export interface CaptureSmtpOptions {
  port?: number;
  host?: string;
  /** How many mails to keep; older ones are dropped. */
  keep?: number;
  /**
   * Skip MIME parsing and keep only the envelope and headers' Message-ID/Subject: for load
   * tests, where parsing every mail would cost more than sending it.
   */
  envelopeOnly?: boolean;
  respond?: Responder;
  /** Delays the reply to DATA for this recipient (a slow provider), in ms. */
  delayMs?: (to: string) => number;
  onMail?: (mail: CapturedMail) => void;
}

export interface CaptureSmtp {
  port: number;
  url: string;
  mails(): CapturedMail[];
  clear(): void;
  /**
   * Messages whose sender hung up before the (delayed) reply to DATA: kept anyway, as a real
   * server that queued the message before replying would, so a retry of one is a duplicate.
   */
  abandoned(): number;
  /** Resolves once `count` mails in total have arrived. */
  waitForCount(count: number, timeoutMs?: number): Promise<CapturedMail[]>;
  setResponder(r: Responder | undefined): void;
  close(): Promise<void>;
}

/** Just enough of a message for counting and de-duplication, without a MIME parse. */
function headersOnly(raw: Buffer): { messageId?: string | undefined; subject?: string | undefined; headers: Map<string, unknown> } {
  const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
  return { messageId: field('Message-ID'), subject: field('Subject'), headers: new Map() };
}

function smtpError(reply: SmtpReply): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

function headerMap(headers: Map<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headers) {
    if (typeof v === 'string') out[k] = v;
    else if (v && typeof v === 'object' && 'text' in v) out[k] = String((v as { text: unknown }).text);
    else if (v && typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') out[k] = (v as { value: string }).value;
  }
  return out;
}

export async function startCaptureSmtp(opts: CaptureSmtpOptions = {}): Promise<CaptureSmtp> {
  const keep = opts.keep ?? 1000;
  const stored: CapturedMail[] = [];
  const attemptsByRcpt = new Map<string, number>();
  const waiters: Array<{ count: number; resolve: (m: CapturedMail[]) => void }> = [];
  let received = 0;
  let abandoned = 0;
  /** Sessions whose reply to DATA is being held back (the `delayMs` option). */
  const replyPending = new Set<string>();
  let respond = opts.respond;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 25 * 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const attempt = (attemptsByRcpt.get(address.address) ?? 0) + 1;
      attemptsByRcpt.set(address.address, attempt);
      const reply = respond?.('rcpt', { to: address.address, attempt });
      callback(reply ? smtpError(reply) : undefined);
    },
    onClose(session: SMTPServerSession) {
      if (replyPending.has(session.id)) abandoned += 1;
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      const reply = () => {
        replyPending.delete(session.id);
        const to = session.envelope.rcptTo.map((r) => r.address);
        const refusal = respond?.('data', { to: to[0] ?? '', attempt: attemptsByRcpt.get(to[0] ?? '') ?? 1 });
        if (refusal) return callback(smtpError(refusal));
        const raw = Buffer.concat(chunks);
        const parse: Promise<ParsedMail> = opts.envelopeOnly ? Promise.resolve(headersOnly(raw) as unknown as ParsedMail) : simpleParser(raw);
        parse
          .then((parsed) => {
            received += 1;
            const mail: CapturedMail = {
              id: received,
              receivedAt: new Date().toISOString(),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              envelopeTo: to,
              messageId: parsed.messageId ?? null,
              subject: parsed.subject ?? '',
              from: parsed.from?.text ?? '',
              to: Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? ''),
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : null,
              headers: headerMap(parsed.headers as Map<string, unknown>),
              raw: opts.envelopeOnly ? '' : raw.toString('utf8'),
            };
            stored.push(mail);
            if (stored.length > keep) stored.shift();
            opts.onMail?.(mail);
            for (const w of [...waiters]) {
              if (received >= w.count) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve([...stored]);
              }
            }
            callback();
          })
          .catch((err: Error) => callback(err));
      };
      stream.on('end', () => {
        const delay = opts.delayMs?.(session.envelope.rcptTo[0]?.address ?? '') ?? 0;
        if (delay > 0) replyPending.add(session.id);
        setTimeout(reply, delay);
      });
    },
  });
  server.on('error', () => {}); // a client's broken connection must not take the server down

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    port,
    url: `smtp://${host}:${port}`,
    mails: () => [...stored],
    abandoned: () => abandoned,
    clear: () => {
      stored.length = 0;
    },
    waitForCount(count, timeoutMs = 30_000) {
      if (received >= count) return Promise.resolve([...stored]);
      return new Promise((resolve, reject) => {
        const w = { count, resolve: (m: CapturedMail[]) => (clearTimeout(timer), resolve(m)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`expected ${count} mails, got ${received} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    setResponder(r) {
      respond = r;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
