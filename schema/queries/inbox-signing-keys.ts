import type { DbOrTx } from '../database.js';
import type { InboxSigningKeyRow, NewInboxSigningKey } from '../tables/inbox-signing-keys.js';

export async function insertInboxSigningKey(db: DbOrTx, k: NewInboxSigningKey): Promise<InboxSigningKeyRow> {
  return db.insertInto('inbox_signing_keys').values(k).returningAll().executeTakeFirstOrThrow();
}

/** A tenant's keys, newest first, retired ones included. */
export async function listInboxSigningKeys(db: DbOrTx, tenantId: string): Promise<InboxSigningKeyRow[]> {
  return db.selectFrom('inbox_signing_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
}

/** An active key by its id, whichever tenant owns it (the token's kid names it). */
export async function findActiveInboxSigningKey(db: DbOrTx, kid: string): Promise<InboxSigningKeyRow | undefined> {
  return db.selectFrom('inbox_signing_keys').selectAll().where('kid', '=', kid).where('retired_at', 'is', null).executeTakeFirst();
}

/** Retires a key of the tenant; false when it has no such key. Retiring twice keeps the first time. */
export async function retireInboxSigningKey(db: DbOrTx, tenantId: string, kid: string): Promise<InboxSigningKeyRow | undefined> {
  const key = await db.selectFrom('inbox_signing_keys').selectAll().where('tenant_id', '=', tenantId).where('kid', '=', kid).executeTakeFirst();
  if (!key || key.retired_at) return key;
  return db.updateTable('inbox_signing_keys').set({ retired_at: new Date() }).where('kid', '=', kid).returningAll().executeTakeFirst();
}
