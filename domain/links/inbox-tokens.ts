// Inbox tokens: what a recipient's browser shows Herald to read one user's in-app inbox.
// A token is a JWS (HS256) whose protected header names the signing key (`kid`); its claims
// are `sub` (the user id), `aud` "herald:inbox" and `exp`. Each tenant has signing keys of its
// own (several may be active, so a backend can roll to a new one before it retires the old),
// and may mint tokens itself with a key's secret; Herald mints with the tenant's newest key.
// A token whose kid is unknown or retired, whose signature or audience is wrong, or which has
// expired or lives longer than the longest lifetime is refused.
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { newId } from '../../common/ids.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { DbOrTx } from '../../schema/database.js';
import { findActiveInboxSigningKey, insertInboxSigningKey, listInboxSigningKeys, retireInboxSigningKey } from '../../schema/queries/inbox-signing-keys.js';
import { findUser } from '../../schema/queries/users.js';
import type { InboxSigningKeyRow } from '../../schema/tables/inbox-signing-keys.js';
import { notFound, unprocessable } from '../errors.js';
import type { InboxOwner } from '../recipients/inbox.js';

export const INBOX_TOKEN_AUDIENCE = 'herald:inbox';
const DAY = 86_400;
export const INBOX_TOKEN_LIFETIME = { defaultSeconds: DAY, maxSeconds: 30 * DAY };

export interface InboxKeyDeps {
  db: DbOrTx;
  secretBox: SecretBox | undefined;
}

export interface InboxSigningKey {
  kid: string;
  name: string;
  createdAt: string;
  retiredAt: string | null;
}

function requireBox(box: SecretBox | undefined): SecretBox {
  if (!box) throw unprocessable('secret_key_missing', 'set HERALD_SECRET_KEY so inbox signing keys can be stored encrypted');
  return box;
}

export function presentInboxKey(k: InboxSigningKeyRow): InboxSigningKey {
  return { kid: k.kid, name: k.name, createdAt: k.created_at.toISOString(), retiredAt: k.retired_at?.toISOString() ?? null };
}

async function newKey(deps: InboxKeyDeps, tenantId: string, name: string): Promise<{ row: InboxSigningKeyRow; secret: string }> {
  const secret = randomBytes(32).toString('base64url');
  const row = await insertInboxSigningKey(deps.db, { kid: newId('ibk'), tenant_id: tenantId, name, secret_sealed: requireBox(deps.secretBox).seal(secret) });
  return { row, secret };
}

/** A new active key; its secret (base64url of 32 bytes, the HS256 key) is returned this once and stored sealed. */
export async function createInboxKey(deps: InboxKeyDeps, tenantId: string, name: string): Promise<InboxSigningKey & { secret: string }> {
  const { row, secret } = await newKey(deps, tenantId, name);
  return { ...presentInboxKey(row), secret };
}

export async function listInboxKeys(db: DbOrTx, tenantId: string): Promise<InboxSigningKey[]> {
  return (await listInboxSigningKeys(db, tenantId)).map(presentInboxKey);
}

/** Tokens signed with a retired key are refused from now on. */
export async function retireInboxKey(db: DbOrTx, tenantId: string, kid: string): Promise<InboxSigningKey> {
  const row = await retireInboxSigningKey(db, tenantId, kid);
  if (!row) throw notFound('inbox signing key');
  return presentInboxKey(row);
}

const keyBytes = (box: SecretBox, k: InboxSigningKeyRow) => Buffer.from(box.open(k.secret_sealed), 'base64url');

/** Signs a token for a user of the tenant with its newest active key (making one when it has none). */
export async function mintInboxToken(deps: InboxKeyDeps, o: InboxOwner, ttlSeconds: number | undefined): Promise<{ token: string; kid: string; expiresAt: string }> {
  const box = requireBox(deps.secretBox);
  if (!(await findUser(deps.db, o.tenantId, o.userId))) throw notFound('user');
  const key = (await listInboxSigningKeys(deps.db, o.tenantId)).find((k) => !k.retired_at) ?? (await newKey(deps, o.tenantId, 'made by Herald for POST /v1/users/{id}/inbox-token')).row;
  const exp = Math.floor(Date.now() / 1000) + (ttlSeconds ?? INBOX_TOKEN_LIFETIME.defaultSeconds);
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid }).setSubject(o.userId).setAudience(INBOX_TOKEN_AUDIENCE).setIssuedAt().setExpirationTime(exp).sign(keyBytes(box, key));
  return { token, kid: key.kid, expiresAt: new Date(exp * 1000).toISOString() };
}

/** The inbox a valid token names, for a user that still exists; undefined for anything else (never throws for a bad token). */
export async function verifyInboxToken(deps: InboxKeyDeps, token: string): Promise<InboxOwner | undefined> {
  if (!deps.secretBox || token.length > 4000) return undefined;
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
  const key = kid ? await findActiveInboxSigningKey(deps.db, kid) : undefined;
  if (!key) return undefined;
  try {
    const { payload } = await jwtVerify(token, keyBytes(deps.secretBox, key), { algorithms: ['HS256'], audience: INBOX_TOKEN_AUDIENCE, requiredClaims: ['sub', 'exp'] });
    // A token minted elsewhere must not outlive the longest lifetime Herald would give one.
    if ((payload.exp ?? 0) - Math.floor(Date.now() / 1000) > INBOX_TOKEN_LIFETIME.maxSeconds) return undefined;
    const owner = { tenantId: key.tenant_id, userId: payload.sub ?? '' };
    return (await findUser(deps.db, owner.tenantId, owner.userId)) ? owner : undefined;
  } catch {
    return undefined;
  }
}
