// Signed, expiring per-user credentials for pages that run without an API key: the
// preference center link. A token names (tenant, user, expiry) and carries an HMAC-SHA256 of
// that under the signing key; the purpose is part of what is signed, so a preference link is
// no unsubscribe token. (Inbox tokens are JWS with per-tenant keys: inbox-tokens.ts.) The
// format is common/signed-token.ts's, so links signed before a key rotation keep working
// while the old key is listed among the previous ones.
import { createHmac } from 'node:crypto';
import { openToken, signToken } from '../../common/signed-token.js';

export type UserLinkPurpose = 'preferences';

export interface UserLinkSubject {
  tenantId: string;
  userId: string;
}

export interface VerifiedUserLink extends UserLinkSubject {
  expiresAt: Date;
}

const PREFIX: Record<UserLinkPurpose, string> = { preferences: 'pc1' };
const MAX_TOKEN_LENGTH = 2000;

function mac(key: string, prefix: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`${prefix}.${payload}`).digest();
}

export function signUserLink(key: string, purpose: UserLinkPurpose, s: UserLinkSubject, expiresAt: Date): string {
  return signToken(mac, key, PREFIX[purpose], [s.tenantId, s.userId], Math.floor(expiresAt.getTime() / 1000));
}

/**
 * The subject of a valid, unexpired token of this purpose signed with any of `keys` (the
 * current key first, then previous ones); undefined for anything else (never throws).
 */
export function verifyUserLink(keys: readonly string[], purpose: UserLinkPurpose, token: string, now: Date = new Date()): VerifiedUserLink | undefined {
  const opened = openToken(token, { mac, prefix: PREFIX[purpose], keys, maxLength: MAX_TOKEN_LENGTH, now: now.getTime() });
  if (!opened || opened.expired || !opened.expiresAt || opened.fields.length !== 2) return undefined;
  const [tenantId, userId] = opened.fields as [string, string];
  return { tenantId, userId, expiresAt: opened.expiresAt };
}
