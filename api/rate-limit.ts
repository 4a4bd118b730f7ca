// Per-key request rates shared by every API process, and a brake on guessing keys.
//
// The shared bucket lives in PostgreSQL; to keep that off the hot path each process leases
// a few tokens at a time (a tenth of a second's worth) and spends them locally. Leased
// tokens come out of the shared bucket, so the sum over processes never passes the limit.
import type { Db } from '../schema/database.js';
import { takeTokens } from '../schema/queries/rate-limits.js';
import type { AuthContext } from './auth.js';
import { HttpError } from './errors.js';

export interface RateLimitSettings {
  /** Requests per second per key unless the key has its own rate. */
  perSecond: number;
  burst: number;
  /** Failed authentications per client address per minute before it is made to wait. */
  failedAuthPerMinute: number;
}

/** A key's rate as the RateLimit-* headers tell it (rateLimitHeaders). */
export interface RateLimitState {
  /** Requests the key may make at once: its burst. */
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  perSecond: number;
}

export interface RequestLimiter {
  /** Counts a request of this key; throws 429 (with the headers) when it has used up its rate. */
  check(auth: AuthContext): Promise<RateLimitState>;
  /** Throws 429 when this address has failed to authenticate too often. */
  checkAddress(address: string): void;
  noteFailedAuth(address: string): void;
}

function tooMany(code: string, message: string, retryAfterMs: number, headers: Record<string, string> = {}): HttpError {
  return new HttpError(429, code, message, undefined, { ...headers, 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
}

/**
 * The `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` trio with `RateLimit-Policy`
 * (draft-ietf-httpapi-ratelimit-headers-06): the burst, what is left of it, the seconds until
 * it is whole again, and the policy as `<burst>;w=<seconds to refill it>`.
 */
export function rateLimitHeaders(s: RateLimitState): Record<string, string> {
  return {
    'RateLimit-Policy': `${s.limit};w=${Math.max(1, Math.ceil(s.limit / s.perSecond))}`,
    'RateLimit-Limit': String(s.limit),
    'RateLimit-Remaining': String(Math.floor(s.remaining)),
    'RateLimit-Reset': String(Math.ceil(s.resetSeconds)),
  };
}

export function createRequestLimiter(db: Db, settings: RateLimitSettings): RequestLimiter {
  // Per key: tokens leased to this process, and the shared bucket's level at the last lease.
  const leased = new Map<string, { tokens: number; bucket: number; at: number }>();
  // Per process: a guesser spread over N processes gets N times the allowance, which is
  // still far too little to find a 256-bit key.
  const failures = new Map<string, { count: number; windowStart: number }>();

  return {
    async check(auth) {
      const rate = auth.rate ?? { perSecond: settings.perSecond, burst: settings.burst };
      // Remaining: this process's leased tokens plus the shared bucket, refilled since it was read
      // (other processes' spending since then is not seen: an estimate, never above the burst).
      const state = (l: { tokens: number; bucket: number; at: number }): RateLimitState => {
        const remaining = Math.min(rate.burst, l.tokens + l.bucket + ((Date.now() - l.at) / 1000) * rate.perSecond);
        return { limit: rate.burst, remaining, resetSeconds: (rate.burst - remaining) / rate.perSecond, perSecond: rate.perSecond };
      };
      const held = leased.get(auth.keyId);
      if (held && held.tokens > 0) {
        held.tokens -= 1;
        return state(held);
      }
      const lease = Math.max(1, Math.min(rate.burst, Math.ceil(rate.perSecond / 10)));
      const { granted, left, retryAfterMs } = await takeTokens(db, `key:${auth.keyId}`, lease, rate.perSecond, rate.burst);
      const now = { tokens: Math.max(0, granted - 1), bucket: left, at: Date.now() };
      if (granted === 0) {
        throw tooMany('rate_limited', `this API key is limited to ${rate.perSecond} requests per second`, retryAfterMs, rateLimitHeaders(state(now)));
      }
      leased.set(auth.keyId, now);
      return state(now);
    },

    checkAddress(address) {
      const f = failures.get(address);
      if (!f) return;
      const elapsed = Date.now() - f.windowStart;
      if (elapsed > 60_000) {
        failures.delete(address);
        return;
      }
      if (f.count >= settings.failedAuthPerMinute) {
        throw tooMany('too_many_failed_auth', 'too many requests with invalid API keys from this address', 60_000 - elapsed);
      }
    },

    noteFailedAuth(address) {
      const now = Date.now();
      const f = failures.get(address);
      if (!f || now - f.windowStart > 60_000) failures.set(address, { count: 1, windowStart: now });
      else f.count += 1;
      if (failures.size > 100_000) failures.clear(); // bounded memory under a spray of addresses
    },
  };
}
