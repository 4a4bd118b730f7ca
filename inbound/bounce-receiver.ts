// The bounce receiver: an SMTP server for the VERP return paths Herald puts on its email
// (`bounce+<delivery id>.<mac>@<bounce domain>`, common/bounce-address.ts). It accepts mail
// only for addresses Herald signed (550 at RCPT for anything else, so a forged bounce never
// gets as far as DATA), reads the RFC 3464 delivery status report of each message, and:
//   - Action failed + Status 5.x.x (a hard bounce): the delivery becomes `bounced` with the
//     remote server's diagnostic as its reason, the address goes on the tenant's suppression
//     list, and the tracker records `bounced` (timeline + analytics) — the same path receipts
//     take;
//   - a delay or a 4.x.x: a `delayed` entry on the notification's timeline, nothing else.
// Mail that carries no report (an auto-reply sent to the return path) is accepted and
// dropped: refusing it would only make the sender's server bounce the bounce.
import { createHash } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Tracker } from '../domain/tracking/tracker.js';
import { verifyBounceAddress } from '../domain/links/bounce-address.js';
import type { Logger } from '../common/logger.js';
import type { Db } from '../schema/database.js';
import { bounceDelivery, suppressEmailAddress } from '../schema/queries/bounces.js';
import { findDelivery } from '../schema/queries/deliveries.js';
import { dsnOutcome, parseDeliveryStatus, recipientFor, type DeliveryStatusReport, type DsnOutcome } from './dsn.js';

export interface BounceReceiverOptions {
  db: Db;
  tracker: Tracker;
  logger: Logger;
  signingKey: string;
  /** Signing keys rotated out (config.tokens.previousKeys): their return paths are still accepted. */
  previousSigningKeys?: readonly string[] | undefined;
  bounceDomain: string;
  port?: number | undefined;
  /** Default 127.0.0.1; `0.0.0.0` (or `::`) where mail servers must reach it. */
  host?: string | undefined;
  /** Larger messages are refused (552): a DSN with the original attached stays well under it. */
  maxMessageBytes?: number | undefined;
}

export interface BounceReceiver {
  port: number;
  url: string;
  close(): Promise<void>;
}

export type BounceResult = { deliveryId: string; outcome: DsnOutcome | 'no_report' | 'unknown_delivery' | 'no_recipient'; changed: boolean };

const REPORT_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);

function smtpReply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** The delivery status report of a message, if it carries one. */
export function findReport(parsed: ParsedMail): DeliveryStatusReport | undefined {
  const part = parsed.attachments.find((a) => REPORT_TYPES.has(a.contentType.toLowerCase()));
  return part ? parseDeliveryStatus(part.content.toString('utf8')) : undefined;
}

export function createBounceProcessor(o: Pick<BounceReceiverOptions, 'db' | 'tracker' | 'logger'>) {
  const log = o.logger.child({ component: 'bounce-receiver' });

  /** Applies one report to one delivery; safe to repeat (a DSN delivered twice changes nothing more). */
  async function apply(deliveryId: string, report: DeliveryStatusReport | undefined, reportKey: string): Promise<BounceResult> {
    if (!report) return { deliveryId, outcome: 'no_report', changed: false };
    const d = await findDelivery(o.db, deliveryId);
    if (!d || d.channel !== 'email') return { deliveryId, outcome: 'unknown_delivery', changed: false };
    const r = recipientFor(report, d.address);
    if (!r) return { deliveryId, outcome: 'no_recipient', changed: false };
    const outcome = dsnOutcome(r);
    const detail = { action: r.action, status: r.status, finalRecipient: r.finalRecipient, remoteMta: r.remoteMta, reportingMta: report.reportingMta };
    if (outcome === 'hard') {
      const reason = r.diagnosticCode ?? `the receiving server reported ${r.status ?? 'a permanent failure'} (Action: failed)`;
      const changed = await o.tracker.change<boolean>((c) => (c ? [deliveryId] : []), async (tx) => {
        const row = await bounceDelivery(tx, deliveryId, { reason, code: r.status });
        if ((row || d.status === 'bounced') && d.address) {
          await suppressEmailAddress(tx, { tenant_id: d.tenant_id, address: d.address, reason: 'bounced', status_code: r.status, diagnostic: r.diagnosticCode, delivery_id: d.id });
        }
        return row !== undefined;
      });
      log.info({ deliveryId, tenantId: d.tenant_id, status: r.status, changed }, 'hard bounce');
      return { deliveryId, outcome, changed };
    }
    if (outcome === 'soft') {
      const reason = r.diagnosticCode ?? `the receiving server reported ${r.action ?? 'a delay'}${r.status ? ` (${r.status})` : ''}`;
      await o.tracker.deliveryNotice(deliveryId, { key: reportKey, reason, errorCode: r.status, details: detail });
      log.info({ deliveryId, tenantId: d.tenant_id, status: r.status, action: r.action }, 'delivery delayed');
      return { deliveryId, outcome, changed: false };
    }
    return { deliveryId, outcome, changed: false };
  }

  return { apply };
}

export async function startBounceReceiver(o: BounceReceiverOptions): Promise<BounceReceiver> {
  const processor = createBounceProcessor(o);
  const log = o.logger.child({ component: 'bounce-receiver' });
  const maxBytes = o.maxMessageBytes ?? 10 * 1024 * 1024;
  const keys = [o.signingKey, ...(o.previousSigningKeys ?? [])];

  const server = new SMTPServer({
    name: o.bounceDomain,
    banner: 'Herald bounce receiver',
    authOptional: true,
    // Bounces are not authenticated mail: no AUTH; no STARTTLS without a certificate of our own.
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: maxBytes,
    maxClients: 200,
    socketTimeout: 60_000,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (verifyBounceAddress(keys, o.bounceDomain, address.address)) return callback();
      callback(smtpReply(550, `5.1.1 <${address.address.slice(0, 320)}>: no such bounce address`));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpReply(552, `5.3.4 message larger than ${maxBytes} bytes`));
        const raw = Buffer.concat(chunks);
        const deliveryIds = session.envelope.rcptTo.flatMap((a) => verifyBounceAddress(keys, o.bounceDomain, a.address) ?? []);
        void (async () => {
          const parsed = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
          const report = findReport(parsed);
          // The same report sent twice (a retry after a lost reply) is one timeline entry.
          const reportKey = createHash('sha256').update(parsed.messageId ?? raw).digest('base64url').slice(0, 22);
          for (const id of new Set(deliveryIds)) {
            const result = await processor.apply(id, report, reportKey);
            if (result.outcome === 'no_report' || result.outcome === 'unknown_delivery' || result.outcome === 'no_recipient') log.debug(result, 'bounce mail ignored');
          }
        })().then(
          () => callback(null, 'bounce received'),
          (err: unknown) => {
            // The database is the likely cause: a 4xx makes the sending server try again later.
            log.warn({ err: err instanceof Error ? err.message : String(err) }, 'bounce not processed');
            callback(smtpReply(451, '4.3.0 bounce not processed, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => log.debug({ err: err.message }, 'smtp connection error'));

  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: `smtp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
