// Signed, expiring per-user credentials for pages and widgets that run without an API key:
// the preference center link and the embeddable inbox widget. A token names (tenant, user,
// expiry) and carries an HMAC-SHA256 of that under the signing key; the purpose is part of
// what is signed, so an inbox token is no preference link (nor an unsubscribe token).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type UserLinkPurpose = 'preferences' | 'inbox';

export interface UserLinkSubject {
  tenantId: string;
  userId: string;
}

export interface VerifiedUserLink extends UserLinkSubject {
  expiresAt: Date;
}

const PREFIX: Record<UserLinkPurpose, string> = { preferences: 'pc1', inbox: 'ib1' };
const MAX_TOKEN_LENGTH = 2000;

function mac(key: string, prefix: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`${prefix}.${payload}`).digest();
}

export function signUserLink(key: string, purpose: UserLinkPurpose, s: UserLinkSubject, expiresAt: Date): string {
  const prefix = PREFIX[purpose];
  const payload = Buffer.from(JSON.stringify([s.tenantId, s.userId, Math.floor(expiresAt.getTime() / 1000)]), 'utf8').toString('base64url');
  return `${prefix}.${payload}.${mac(key, prefix, payload).toString('base64url')}`;
}

/** The subject of a valid, unexpired token of this purpose; undefined for anything else (never throws). */
export function verifyUserLink(key: string, purpose: UserLinkPurpose, token: string, now: Date = new Date()): VerifiedUserLink | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const [prefix, payload, sig, ...rest] = token.split('.');
  if (prefix !== PREFIX[purpose] || !payload || !sig || rest.length > 0) return undefined;
  const expected = mac(key, prefix, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
    const [tenantId, userId, exp] = parsed as unknown[];
    if (typeof tenantId !== 'string' || typeof userId !== 'string' || typeof exp !== 'number' || !Number.isSafeInteger(exp)) return undefined;
    const expiresAt = new Date(exp * 1000);
    if (expiresAt.getTime() <= now.getTime()) return undefined;
    return { tenantId, userId, expiresAt };
  } catch {
    return undefined;
  }
}
