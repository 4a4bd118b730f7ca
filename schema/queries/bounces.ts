// Bounces: the ledger change a hard bounce makes, and the per-tenant list of email addresses
// that are not mailed again.
import type { DbOrTx } from '../database.js';
import type { DeliveryRow } from '../tables/deliveries.js';
import type { EmailSuppressionRow, NewEmailSuppression } from '../tables/email-suppressions.js';

/**
 * Marks a sent email delivery bounced. A bounce can follow a `delivered` receipt (the relay
 * took it, the mailbox did not), so that moves too; a row that never went out, or is final
 * for another reason, is left alone. Undefined when nothing changed (a repeated DSN).
 */
export async function bounceDelivery(db: DbOrTx, deliveryId: string, outcome: { reason: string; code: string | null }): Promise<DeliveryRow | undefined> {
  const now = new Date();
  return db
    .updateTable('deliveries')
    .set({ status: 'bounced', reason: outcome.reason, error_code: outcome.code, failed_at: now, updated_at: now })
    .where('id', '=', deliveryId)
    .where('channel', '=', 'email')
    .where('status', 'in', ['sending', 'sent', 'delivered'])
    .returningAll()
    .executeTakeFirst();
}

/**
 * The same for a provider's own report (SES over SNS), by the message id its send answered:
 * `bounced`, or `complained` when the recipient marked it as spam (after it was delivered).
 */
export async function providerFeedback(db: DbOrTx, k: { tenantId: string; provider: string; providerMessageId: string }, outcome: { status: 'bounced' | 'complained'; reason: string; code: string | null }): Promise<DeliveryRow | undefined> {
  const now = new Date();
  return db
    .updateTable('deliveries')
    .set({ status: outcome.status, reason: outcome.reason, error_code: outcome.code, ...(outcome.status === 'bounced' ? { failed_at: now } : {}), updated_at: now })
    .where('tenant_id', '=', k.tenantId)
    .where('provider', '=', k.provider)
    .where('provider_message_id', '=', k.providerMessageId)
    .where('channel', '=', 'email')
    .where('status', 'in', ['sending', 'sent', 'delivered'])
    .returningAll()
    .executeTakeFirst();
}

/** The delivery a provider's message id names, if any. */
export async function deliveryIdOfProviderMessage(db: DbOrTx, k: { tenantId: string; provider: string; providerMessageId: string }): Promise<string | undefined> {
  const row = await db.selectFrom('deliveries').select('id').where('tenant_id', '=', k.tenantId).where('provider', '=', k.provider).where('provider_message_id', '=', k.providerMessageId).executeTakeFirst();
  return row?.id;
}

/** True when this call added the address (the first bounce is the one kept). */
export async function suppressEmailAddress(db: DbOrTx, row: NewEmailSuppression): Promise<boolean> {
  const r = await db
    .insertInto('email_suppressions')
    .values({ ...row, address: row.address.toLowerCase() })
    .onConflict((oc) => oc.columns(['tenant_id', 'address']).doNothing())
    .returning('address')
    .executeTakeFirst();
  return r !== undefined;
}

/** Which of these addresses the tenant does not mail (lower-cased). */
export async function suppressedEmailAddresses(db: DbOrTx, tenantId: string, addresses: readonly string[]): Promise<Set<string>> {
  const wanted = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (wanted.length === 0) return new Set();
  const rows = await db.selectFrom('email_suppressions').select('address').where('tenant_id', '=', tenantId).where('address', 'in', wanted).execute();
  return new Set(rows.map((r) => r.address));
}

/** Oldest first; `after` is the last address of the previous page. */
export async function listEmailSuppressions(db: DbOrTx, tenantId: string, page: { limit: number; after?: string | undefined }): Promise<EmailSuppressionRow[]> {
  let q = db.selectFrom('email_suppressions').selectAll().where('tenant_id', '=', tenantId).orderBy('address').limit(page.limit);
  if (page.after) q = q.where('address', '>', page.after);
  return q.execute();
}

/** True when there was one to remove. */
export async function deleteEmailSuppression(db: DbOrTx, tenantId: string, address: string): Promise<boolean> {
  const r = await db.deleteFrom('email_suppressions').where('tenant_id', '=', tenantId).where('address', '=', address.toLowerCase()).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
