// Recipients named inline in a send (`to.recipients`): users found by address or upserted
// with the fields the request gives, and the data of each recipient of a notification.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewNotificationRecipient } from '../tables/notification-recipients.js';
import type { NewUser } from '../tables/users.js';

export interface AddressOwner {
  id: string;
  email: string | null;
  phone: string | null;
}

/** The users who already have one of these addresses (emails lower case, phones E.164), in id order. */
export async function usersByAddress(db: DbOrTx, tenantId: string, emails: readonly string[], phones: readonly string[]): Promise<AddressOwner[]> {
  if (emails.length === 0 && phones.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'email', 'phone'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([...(emails.length > 0 ? [eb('email', 'in', [...emails])] : []), ...(phones.length > 0 ? [eb('phone', 'in', [...phones])] : [])]))
    .orderBy('id')
    .execute();
}

/**
 * Inserts the users that do not exist; on an existing id, only the fields given (not null)
 * change, and a directory-managed row (SCIM, LDAP) does not change at all. An ephemeral row
 * named again as ephemeral is kept until the later of the two times; named as a directory
 * user it becomes one; a directory user never becomes ephemeral.
 */
export async function upsertInlineUsers(db: DbOrTx, users: readonly NewUser[]): Promise<void> {
  if (users.length === 0) return;
  await db
    .insertInto('users')
    .values([...users])
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'id'])
        .doUpdateSet((eb) => ({
          name: eb.fn.coalesce('excluded.name', 'users.name'),
          email: eb.fn.coalesce('excluded.email', 'users.email'),
          phone: eb.fn.coalesce('excluded.phone', 'users.phone'),
          locale: eb.fn.coalesce('excluded.locale', 'users.locale'),
          timezone: eb.fn.coalesce('excluded.timezone', 'users.timezone'),
          ephemeral_until: sql<Date | null>`case when users.ephemeral_until is null or excluded.ephemeral_until is null then null else greatest(users.ephemeral_until, excluded.ephemeral_until) end`,
          updated_at: new Date(),
        }))
        .where('users.source', '=', 'api'),
    )
    .execute();
}

/** Stores recipients' data; rows already there (a replayed request) stay as they are. */
export async function insertRecipientData(db: DbOrTx, rows: readonly NewNotificationRecipient[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('notification_recipients').values([...rows]).onConflict((oc) => oc.columns(['notification_id', 'user_id']).doNothing()).execute();
}

/** A resend renders what its original rendered: the same per-recipient data. */
export async function copyRecipientData(db: DbOrTx, fromId: string, toId: string): Promise<void> {
  await db
    .insertInto('notification_recipients')
    .columns(['notification_id', 'user_id', 'data'])
    .expression((eb) => eb.selectFrom('notification_recipients').select((s) => [s.val(toId).as('notification_id'), 'user_id', 'data']).where('notification_id', '=', fromId))
    .onConflict((oc) => oc.columns(['notification_id', 'user_id']).doNothing())
    .execute();
}

/** The data of each (notification, user) pair that has some. */
export async function recipientDataOf(db: DbOrTx, keys: readonly { notificationId: string; userId: string }[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const notificationId of new Set(keys.map((k) => k.notificationId))) {
    const userIds = [...new Set(keys.filter((k) => k.notificationId === notificationId).map((k) => k.userId))];
    const rows = await db.selectFrom('notification_recipients').select(['user_id', 'data']).where('notification_id', '=', notificationId).where('user_id', 'in', userIds).execute();
    for (const r of rows) out.set(`${notificationId}\u0000${r.user_id}`, r.data);
  }
  return out;
}
