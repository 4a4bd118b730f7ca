// nodemailer's pooled transports, one per lane and distinct server configuration, so
// connections are reused across sends; owned by whichever thread sends (smtp-threads.ts).
import nodemailer, { type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { createMimeOnce } from './mime-once.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';
import { guardedSmtpSocket } from './smtp-guard.js';

export interface SmtpConfig extends OutboundSettings {
  /** `smtp://user:pass@host:port` or the parts below. */
  url?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  secure?: boolean | undefined;
  auth?: { user: string; pass: string } | undefined;
  from: string;
  /** Pooled connections per server. */
  maxConnections?: number | undefined;
  /** How long the server may stay silent before the attempt fails (transient); default 30 s. */
  socketTimeoutMs?: number | undefined;
}

/** High-priority mail has a pool of its own: a bulk campaign stuck on a slow server holds
 * every pooled connection, and an OTP would otherwise queue behind it (chaos scenario 6). */
export type SmtpLane = 'high' | 'normal';

function transportKey(c: SmtpConfig): string {
  return JSON.stringify([c.url, c.host, c.port, c.secure, c.auth?.user, c.auth?.pass, c.maxConnections, c.socketTimeoutMs, c.allowPrivateNetworks, c.dnsServers]);
}

/** The bare addresses of an address field (`Herald <a@b>` is `a@b`). */
function addresses(field: Mail.Options['to']): string[] {
  const list: unknown[] = Array.isArray(field) ? field.flat() : field === undefined || field === null ? [] : [field];
  return list.flatMap((a) => (typeof a === 'string' ? (addressparser(a, { flatten: true }) as { address: string }[]).map((p) => p.address) : [(a as { address: string }).address]));
}

export function createTransports() {
  const transports = new Map<string, Transporter<SMTPPool.SentMessageInfo>>();
  const mime = createMimeOnce();

  function transportFor(c: SmtpConfig, lane: SmtpLane): Transporter<SMTPPool.SentMessageInfo> {
    const key = `${lane}:${transportKey(c)}`;
    let t = transports.get(key);
    if (!t) {
      const base: SMTPPool.Options = {
        pool: true,
        maxConnections: c.maxConnections ?? 5,
        maxMessages: Infinity,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: c.socketTimeoutMs ?? 30_000,
      };
      // A tenant's provider (the router sets its allowlist) connects through the outbound guard.
      if (c.allowPrivateNetworks) base.getSocket = guardedSmtpSocket(outboundPolicyOf(c)) as SMTPPool.Options['getSocket'];
      t = c.url
        ? nodemailer.createTransport({ ...base, url: c.url } as SMTPPool.Options)
        : nodemailer.createTransport({ ...base, host: c.host, port: c.port, secure: c.secure ?? false, auth: c.auth });
      transports.set(key, t);
    }
    return t;
  }

  return {
    /**
     * Sends `mail` through the lane's pool. A text-and-html message whose text or html came
     * before is built here with those parts encoded once (mime-once.ts) and handed over whole,
     * with its envelope; any other goes to nodemailer's composer.
     */
    async send(c: SmtpConfig, lane: SmtpLane, mail: Mail.Options): Promise<SMTPPool.SentMessageInfo> {
      const transport = transportFor(c, lane);
      const raw = mime.handles(mail) ? await mime.build(mail) : undefined;
      if (!raw) return transport.sendMail(mail);
      const envelope = mail.envelope ?? { from: addresses(mail.from)[0], to: [...addresses(mail.to), ...addresses(mail.cc), ...addresses(mail.bcc)] };
      const info = await transport.sendMail({ envelope, raw });
      // nodemailer does not read the id back from a message it did not build.
      return { ...info, messageId: mail.messageId ?? info.messageId };
    },
    close(): void {
      for (const t of transports.values()) t.close();
      transports.clear();
    },
  };
}
