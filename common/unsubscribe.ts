// Unsubscribe links: a token names (tenant, user, category) and carries an HMAC-SHA256 of
// that under the signing key, so a link can be neither forged nor pointed at someone else.
// Tokens do not expire: RFC 8058 one-click links must keep working in old mail.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeSubject {
  tenantId: string;
  userId: string;
  category: string;
}

const VERSION = 'u1';

function mac(key: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`${VERSION}.${payload}`).digest();
}

export function signUnsubscribeToken(key: string, s: UnsubscribeSubject): string {
  const payload = Buffer.from(JSON.stringify([s.tenantId, s.userId, s.category]), 'utf8').toString('base64url');
  return `${VERSION}.${payload}.${mac(key, payload).toString('base64url')}`;
}

/** The subject of a valid token, or undefined for anything else (never throws on input). */
export function verifyUnsubscribeToken(key: string, token: string): UnsubscribeSubject | undefined {
  const [version, payload, sig, ...rest] = token.split('.');
  if (version !== VERSION || !payload || !sig || rest.length > 0 || token.length > 2000) return undefined;
  const expected = mac(key, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) return undefined;
    const [tenantId, userId, category] = parsed as [string, string, string];
    return { tenantId, userId, category };
  } catch {
    return undefined;
  }
}

export function unsubscribeUrl(publicUrl: string, key: string, s: UnsubscribeSubject): string {
  return `${publicUrl.replace(/\/$/, '')}/unsubscribe/${signUnsubscribeToken(key, s)}`;
}

/**
 * The RFC 2369 / RFC 8058 headers for one email: a mail client shows its unsubscribe button
 * and POSTs `List-Unsubscribe=One-Click` to the URL, which records the unsubscribe at once.
 * (Gmail and Yahoo require both headers from bulk senders.)
 */
export function unsubscribeHeaders(opts: { publicUrl: string; signingKey: string } & UnsubscribeSubject): Record<string, string> {
  const url = unsubscribeUrl(opts.publicUrl, opts.signingKey, opts);
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
