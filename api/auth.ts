// Bearer API keys (domain/access/keys.ts makes them): scopes decide what a key may do;
// `admin` may do everything in its tenant except create tenants.
import { hashKey } from '../domain/access/keys.js';
import type { Db } from '../schema/database.js';
import { findActiveKeyByHash, touchKeyLastUsed } from '../schema/queries/api-keys.js';

// `scim`: the key an identity provider holds; it reaches /scim/v2 only (and admin keys may too).
export const SCOPES = ['send', 'read', 'manage', 'approve', 'admin', 'system', 'scim'] as const;
export type Scope = (typeof SCOPES)[number];

export interface AuthContext {
  keyId: string;
  tenantId: string;
  scopes: Scope[];
  /** The key's own request rate, when it has one. */
  rate?: { perSecond: number; burst: number } | undefined;
}

export function hasScope(ctx: AuthContext, needed: Scope): boolean {
  return ctx.scopes.includes(needed) || (needed !== 'system' && ctx.scopes.includes('admin'));
}

export interface KeyVerifier {
  verify(secret: string): Promise<AuthContext | undefined>;
  /** True when this key was recently verified as valid by this process (no lookup). */
  recentlyValid(secret: string): boolean;
}

/**
 * Looks keys up by hash, remembering answers for a few seconds so a busy client does not
 * cost a query per request; revocation therefore takes effect within `cacheMs`.
 */
export function createKeyVerifier(db: Db, cacheMs = 5000): KeyVerifier {
  const cache = new Map<string, { ctx: AuthContext | undefined; until: number }>();
  const lastTouched = new Map<string, number>();
  return {
    recentlyValid(secret) {
      const hit = cache.get(hashKey(secret));
      return Boolean(hit?.ctx && hit.until > Date.now());
    },
    async verify(secret) {
      const hash = hashKey(secret);
      const now = Date.now();
      const hit = cache.get(hash);
      if (hit && hit.until > now) return hit.ctx;
      const row = await findActiveKeyByHash(db, hash);
      const ctx = row
        ? {
            keyId: row.id,
            tenantId: row.tenant_id,
            scopes: row.scopes as Scope[],
            rate: row.rate_per_second ? { perSecond: row.rate_per_second, burst: row.rate_burst ?? Math.ceil(row.rate_per_second * 2) } : undefined,
          }
        : undefined;
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, { ctx, until: now + cacheMs });
      if (row && (lastTouched.get(row.id) ?? 0) < now - 60_000) {
        lastTouched.set(row.id, now);
        await touchKeyLastUsed(db, row.id, new Date(now));
      }
      return ctx;
    },
  };
}
