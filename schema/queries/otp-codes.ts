import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewOtpCode, OtpCodeRow } from '../tables/otp-codes.js';

export async function insertOtpCode(db: DbOrTx, row: NewOtpCode): Promise<void> {
  await db.insertInto('otp_codes').values(row).execute();
}

export async function setOtpNotification(db: DbOrTx, id: string, notificationId: string): Promise<void> {
  await db.updateTable('otp_codes').set({ notification_id: notificationId }).where('id', '=', id).execute();
}

/** A newer code replaces older unverified ones for the same user and purpose. */
export async function retireOtherOtps(db: DbOrTx, tenantId: string, userId: string, purpose: string, keepId: string): Promise<void> {
  await db
    .updateTable('otp_codes')
    .set({ expires_at: sql<Date>`least(expires_at, now())` })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('id', '!=', keepId)
    .where('verified_at', 'is', null)
    .execute();
}

/**
 * Counts one verification attempt atomically and returns the row with it counted, or undefined when no live (unverified, unexpired, attempts left) code exists.
 */
export async function takeOtpAttempt(db: DbOrTx, tenantId: string, id: string): Promise<OtpCodeRow | undefined> {
  return db
    .updateTable('otp_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('verified_at', 'is', null)
    .where('expires_at', '>', new Date())
    .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
    .returningAll()
    .executeTakeFirst();
}

export async function findOtp(db: DbOrTx, tenantId: string, id: string): Promise<OtpCodeRow | undefined> {
  return db.selectFrom('otp_codes').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function markOtpVerified(db: DbOrTx, id: string): Promise<boolean> {
  const r = await db.updateTable('otp_codes').set({ verified_at: new Date() }).where('id', '=', id).where('verified_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
