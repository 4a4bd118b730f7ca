// What unsubscribe, open-pixel and click tokens share: `prefix.payload.mac`, where the payload
// is a base64url JSON array whose last element is the expiry (unix seconds), so the expiry is
// covered by the MAC and no server state is needed to enforce it. Verification tries the
// current signing key and then the previous ones (key rotation), each compared in constant
// time; the signature is checked before anything else, so only an authentic token can be
// told "expired" — a forged one is merely invalid.
import { timingSafeEqual } from 'node:crypto';

export interface SignedTokenSettings {
  /** Lifetime of new unsubscribe links, in seconds. */
  unsubscribeTtlSeconds: number;
  /** Lifetime of new open-pixel and click links, in seconds. */
  trackingTtlSeconds: number;
  /** Earlier signing keys, still accepted (never used to sign): the later entries of HERALD_SIGNING_KEY. */
  previousKeys: readonly string[];
}

export const DEFAULT_TOKEN_SETTINGS: SignedTokenSettings = {
  // CAN-SPAM wants an unsubscribe link to work for at least 30 days after sending; RFC 8058
  // one-click links live in mail people read months later.
  unsubscribeTtlSeconds: 90 * 86_400,
  trackingTtlSeconds: 180 * 86_400,
  previousKeys: [],
};

export type TokenCheck<T> =
  | { status: 'valid'; subject: T; expiresAt: Date | null }
  | { status: 'expired'; subject: T; expiredAt: Date | null }
  | { status: 'invalid' };

export type Mac = (key: string, prefix: string, payload: string) => Buffer;

/** Expiry, in unix seconds, of a token minted now with this lifetime (never shorter than it). */
export function expiryOf(ttlSeconds: number, now: number = Date.now()): number {
  return Math.ceil(now / 1000 + ttlSeconds);
}

export function signToken(mac: Mac, key: string, prefix: string, fields: readonly string[], exp: number): string {
  const payload = Buffer.from(JSON.stringify([...fields, exp]), 'utf8').toString('base64url');
  return `${prefix}.${payload}.${mac(key, prefix, payload).toString('base64url')}`;
}

export interface OpenOptions {
  mac: Mac;
  /** The prefix of this kind of token; its last field is the expiry. */
  prefix: string;
  /** Current key first, then previous ones. */
  keys: readonly string[];
  maxLength: number;
  now?: number | undefined;
}

export interface OpenedToken {
  /** The signed string fields, without the expiry. */
  fields: string[];
  expiresAt: Date | null;
  expired: boolean;
}

/** The fields of an authentic token, or undefined for anything else (never throws on input). */
export function openToken(token: string, o: OpenOptions): OpenedToken | undefined {
  if (token.length > o.maxLength) return undefined;
  const [prefix, payload, sig, ...rest] = token.split('.');
  if (!prefix || !payload || !sig || rest.length > 0) return undefined;
  if (prefix !== o.prefix) return undefined;
  const given = Buffer.from(sig, 'base64url');
  let authentic = false;
  for (const key of o.keys) {
    const expected = o.mac(key, prefix, payload);
    // Every key is tried, so the time taken does not tell which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) authentic = true;
  }
  if (!authentic) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const now = o.now ?? Date.now();
  const exp: unknown = parsed.at(-1);
  const fields = parsed.slice(0, -1);
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || !fields.every((f) => typeof f === 'string')) return undefined;
  return { fields: fields as string[], expiresAt: new Date(exp * 1000), expired: now >= exp * 1000 };
}

/** A TokenCheck from an opened token and the subject its fields describe (undefined: malformed). */
export function checkOf<T>(opened: OpenedToken | undefined, subject: (fields: string[]) => T | undefined): TokenCheck<T> {
  const s = opened ? subject(opened.fields) : undefined;
  if (!opened || s === undefined) return { status: 'invalid' };
  return opened.expired ? { status: 'expired', subject: s, expiredAt: opened.expiresAt } : { status: 'valid', subject: s, expiresAt: opened.expiresAt };
}
