// API keys: a key is random, shown once, stored as its SHA-256. Creating one and revoking
// one are audited; only a key that holds `system` may grant it.
import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../../common/ids.js';
import type { DbOrTx } from '../../schema/database.js';
import { insertApiKey, revokeKey } from '../../schema/queries/api-keys.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import type { ApiKeyRow } from '../../schema/tables/api-keys.js';
import type { Actor } from '../actor.js';
import { conflict, notFound, unprocessable } from '../errors.js';

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateKey(): { secret: string; prefix: string } {
  const secret = `hk_${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, 10) };
}

export interface ApiKeyRequest {
  name: string;
  scopes: string[];
  expiresAt?: string | undefined;
  /** Requests per second for this key; the burst defaults to two seconds' worth. */
  rateLimit?: { perSecond: number; burst?: number | undefined } | undefined;
}

export interface NewKey {
  /** The secret: shown once, never stored. */
  secret: string;
  row: ApiKeyRow;
}

/** Creates a key in `tenantId` on behalf of `createdBy`, audited in that tenant. */
export async function issueKey(db: DbOrTx, tenantId: string, createdBy: string, req: ApiKeyRequest): Promise<NewKey> {
  const { secret, prefix } = generateKey();
  const id = newId('key');
  const row = await insertApiKey(db, {
    id,
    tenant_id: tenantId,
    name: req.name,
    prefix,
    secret_hash: hashKey(secret),
    scopes: req.scopes,
    created_by: createdBy,
    expires_at: req.expiresAt ? new Date(req.expiresAt) : null,
    rate_per_second: req.rateLimit?.perSecond ?? null,
    rate_burst: req.rateLimit ? (req.rateLimit.burst ?? Math.ceil(req.rateLimit.perSecond * 2)) : null,
  });
  await appendAudit(db, { tenantId, actor: createdBy, action: 'api_key.create', targetType: 'api_key', targetId: id, details: { scopes: req.scopes } });
  return { secret, row };
}

/** A key the caller creates in its own tenant: it can grant `system` only if it holds it, and cannot create one already expired. */
export async function createApiKey(db: DbOrTx, actor: Actor & { scopes: readonly string[] }, req: ApiKeyRequest): Promise<NewKey> {
  if (req.scopes.includes('system') && !actor.scopes.includes('system')) throw unprocessable('scope_not_grantable', 'only a key with the system scope can grant it');
  if (req.expiresAt && new Date(req.expiresAt) <= new Date()) throw unprocessable('already_expired', 'expiresAt is in the past');
  return issueKey(db, actor.tenantId, actor.keyId, req);
}

export async function revokeApiKey(db: DbOrTx, actor: Actor, id: string): Promise<void> {
  // Revoking the key that asks would lock its holder out mid-session (the last admin key
  // locks the tenant out); another admin key can revoke it.
  if (id === actor.keyId) throw conflict('cannot_revoke_own_key', 'a key cannot revoke itself; revoke it with another admin key');
  if (!(await revokeKey(db, actor.tenantId, id, new Date()))) throw notFound('API key');
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'api_key.revoke', targetType: 'api_key', targetId: id });
}
