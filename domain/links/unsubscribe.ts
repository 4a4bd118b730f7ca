// Unsubscribe links: a token names (tenant, user, category) and its expiry, and carries an
// HMAC-SHA256 of that under the signing key, so a link can be neither forged, pointed at
// someone else, nor kept working forever. The lifetime is long (90 days by default):
// RFC 8058 one-click links live in mail people read months later.
import { createHmac } from 'node:crypto';
import { checkOf, DEFAULT_TOKEN_SETTINGS, expiryOf, openToken, signToken, type TokenCheck } from '../../common/signed-token.js';

export interface UnsubscribeSubject {
  tenantId: string;
  userId: string;
  category: string;
}

const VERSION = 'u2';
export const MAX_UNSUBSCRIBE_TOKEN_LENGTH = 2000;

function mac(key: string, prefix: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`${prefix}.${payload}`).digest();
}

export interface MintOptions {
  ttlSeconds?: number | undefined;
  now?: number | undefined;
}

export function signUnsubscribeToken(key: string, s: UnsubscribeSubject, o: MintOptions = {}): string {
  return signToken(mac, key, VERSION, [s.tenantId, s.userId, s.category], expiryOf(o.ttlSeconds ?? DEFAULT_TOKEN_SETTINGS.unsubscribeTtlSeconds, o.now));
}

export interface CheckOptions {
  /** Keys no longer signing but still accepted (rotation). */
  previousKeys?: readonly string[] | undefined;
  now?: number | undefined;
}

/** Valid, expired (authentic but too old) or invalid (anything else); never throws on input. */
export function checkUnsubscribeToken(key: string, token: string, o: CheckOptions = {}): TokenCheck<UnsubscribeSubject> {
  const opened = openToken(token, {
    mac,
    prefix: VERSION,
    keys: [key, ...(o.previousKeys ?? [])],
    maxLength: MAX_UNSUBSCRIBE_TOKEN_LENGTH,
    now: o.now,
  });
  return checkOf(opened, (f) => (f.length === 3 ? { tenantId: f[0] as string, userId: f[1] as string, category: f[2] as string } : undefined));
}

/** The subject of a valid, unexpired token, or undefined for anything else. */
export function verifyUnsubscribeToken(key: string, token: string, o: CheckOptions = {}): UnsubscribeSubject | undefined {
  const c = checkUnsubscribeToken(key, token, o);
  return c.status === 'valid' ? c.subject : undefined;
}

export function unsubscribeUrl(publicUrl: string, key: string, s: UnsubscribeSubject, o: MintOptions = {}): string {
  return `${publicUrl.replace(/\/$/, '')}/unsubscribe/${signUnsubscribeToken(key, s, o)}`;
}

/**
 * The RFC 2369 / RFC 8058 headers for one email: a mail client shows its unsubscribe button
 * and POSTs `List-Unsubscribe=One-Click` to the URL, which records the unsubscribe at once.
 * (Gmail and Yahoo require both headers from bulk senders.)
 */
export function unsubscribeHeaders(opts: { publicUrl: string; signingKey: string; ttlSeconds?: number | undefined } & UnsubscribeSubject): Record<string, string> {
  const url = unsubscribeUrl(opts.publicUrl, opts.signingKey, opts, { ttlSeconds: opts.ttlSeconds });
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
