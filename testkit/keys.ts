import type { Scope } from '../api/auth.js';
import { generateKey, hashKey } from '../domain/access/keys.js';
import { newId } from '../common/ids.js';
import type { Db } from '../schema/database.js';
import { insertApiKey } from '../schema/queries/api-keys.js';
import { insertTenantIfMissing } from '../schema/queries/tenants.js';

/** A key with exactly these scopes, written as the API would store it. */
export async function createKeyForTest(db: Db, tenantId: string, scopes: Scope[]): Promise<string> {
  await insertTenantIfMissing(db, { id: tenantId, name: tenantId, timezone: 'UTC' });
  const { secret, prefix } = generateKey();
  await insertApiKey(db, { id: newId('key'), tenant_id: tenantId, name: 'test', prefix, secret_hash: hashKey(secret), scopes, created_by: null });
  return secret;
}
