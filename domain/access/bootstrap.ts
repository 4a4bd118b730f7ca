// HERALD_BOOTSTRAP_ADMIN_KEY: how scripts, tests and first-time users get in without a UI.
import type { Db } from '../../schema/database.js';
import { countTenantKeys, insertApiKey } from '../../schema/queries/api-keys.js';
import { insertTenantIfMissing, lockTenant } from '../../schema/queries/tenants.js';
import { hashKey } from './keys.js';

export const DEFAULT_TENANT = 'default';

/** Creates tenant `default` and a key with exactly this value, unless the tenant has keys. */
export async function bootstrapAdminKey(db: Db, secret: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await insertTenantIfMissing(tx, { id: DEFAULT_TENANT, name: 'Default', timezone: 'UTC' });
    // Serialise concurrent starts (API and workers starting together) on the tenant row.
    await lockTenant(tx, DEFAULT_TENANT);
    if ((await countTenantKeys(tx, DEFAULT_TENANT)) > 0) return false;
    await insertApiKey(tx, {
      id: 'key_bootstrap',
      tenant_id: DEFAULT_TENANT,
      name: 'bootstrap admin',
      prefix: secret.slice(0, 6),
      secret_hash: hashKey(secret),
      scopes: ['admin', 'system'],
      created_by: null,
    });
    return true;
  });
}
