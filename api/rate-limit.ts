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

export interface RequestLimiter {
  /** Throws 429 when this key has used up its rate. */
  check(auth: AuthContext): Promise<void>;
  /** Throws 429 when this address has failed to authenticate too often. */
  checkAddress(address: string): void;
  noteFailedAuth(address: string): void;
}

function tooMany(code: string, message: string, retryAfterMs: number): HttpError {
  return new HttpError(429, code, message, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
}

export function createRequestLimiter(db: Db, settings: RateLimitSettings): RequestLimiter {
  const leased = new Map<string, number>();
  // Per process: a guesser spread over N processes gets N times the allowance, which is
  // still far too little to find a 256-bit key.
  const failures = new Map<string, { count: number; windowStart: number }>();

  return {
    async check(auth) {
      const rate = auth.rate ?? { perSecond: settings.perSecond, burst: settings.burst };
      const left = leased.get(auth.keyId) ?? 0;
      if (left > 0) {
        leased.set(auth.keyId, left - 1);
        return;
      }
      const lease = Math.max(1, Math.min(rate.burst, Math.ceil(rate.perSecond / 10)));
      const { granted, retryAfterMs } = await takeTokens(db, `key:${auth.keyId}`, lease, rate.perSecond, rate.burst);
      if (granted === 0) throw tooMany('rate_limited', `this API key is limited to ${rate.perSecond} requests per second`, retryAfterMs);
      leased.set(auth.keyId, granted - 1);
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
