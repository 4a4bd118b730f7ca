// A tenant's SMTP server (`host` or `url` in its provider config) is the tenant's to choose,
// so its connections go through the outbound guard like every other provider URL: the host
// name is resolved and checked by the guard's lookup, and the socket connects to the very
// address that was checked. nodemailer then speaks SMTP (and TLS, with the host name for SNI)
// over that socket. Herald's own relay (SMTP_URL) is the operator's and is not guarded.
import { connect, isIP, type Socket } from 'node:net';
import type { LookupOptions } from 'node:dns';
import { guardedLookup, refusalFor, OutboundRefused, type OutboundPolicy } from './outbound-guard.js';

type GetSocket = (options: { host?: string | undefined; port?: number | undefined; secure?: boolean | undefined }, callback: (err: Error | null, socketOptions?: { connection: Socket }) => void) => void;

/** nodemailer's `getSocket` option: a plain TCP socket to the guarded address (TLS is nodemailer's). */
export function guardedSmtpSocket(policy: OutboundPolicy): GetSocket {
  const lookup = guardedLookup(policy);
  return (options, callback) => {
    const host = options.host ?? 'localhost';
    const port = Number(options.port) || (options.secure ? 465 : 587);
    const open = (address: string) => {
      const socket = connect({ host: address, port });
      socket.once('connect', () => callback(null, { connection: socket }));
      socket.once('error', (err) => callback(err));
    };
    if (isIP(host)) {
      const reason = refusalFor(host, policy);
      return reason ? callback(new OutboundRefused(reason)) : open(host);
    }
    lookup(host, {} as LookupOptions, (err, address) => (err ? callback(err) : open(address as string)));
  };
}
