// nodemailer's pooled transports, one per lane and distinct server configuration, so
// connections are reused across sends; owned by whichever thread sends (smtp-threads.ts).
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
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

export function createTransports() {
  const transports = new Map<string, Transporter<SMTPPool.SentMessageInfo>>();
  return {
    transportFor(c: SmtpConfig, lane: SmtpLane): Transporter<SMTPPool.SentMessageInfo> {
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
    },
    close(): void {
      for (const t of transports.values()) t.close();
      transports.clear();
    },
  };
}
