// Provider receipts, including those that arrive before the send they report on has been
// recorded: held in early_receipts and applied by the completion of that send.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';

export interface ReceiptOutcome {
  status: 'delivered' | 'failed';
  reason?: string | undefined;
  code?: string | undefined;
}

/** A receipt nobody claims is kept this long, then dropped (an unknown message id). */
const HOLD = sql`interval '1 day'`;

export interface ReceiptKey {
  tenantId: string;
  provider: string;
  providerMessageId: string;
}

/**
 * Holds a receipt whose send is not recorded yet, for the completion to apply
 * (applyEarlyReceipts); held receipts past HOLD are dropped on the way.
 */
export async function holdReceipt(db: DbOrTx, k: ReceiptKey, outcome: ReceiptOutcome): Promise<void> {
  await db.deleteFrom('early_receipts').where('received_at', '<', sql<Date>`now() - ${HOLD}`).execute();
  await db
    .insertInto('early_receipts')
    .values({ tenant_id: k.tenantId, provider: k.provider, provider_message_id: k.providerMessageId, status: outcome.status, reason: outcome.reason ?? null, error_code: outcome.code ?? null })
    .onConflict((oc) => oc.columns(['tenant_id', 'provider', 'provider_message_id']).doNothing())
    .execute();
}

export async function dropHeldReceipt(db: DbOrTx, k: ReceiptKey): Promise<void> {
  await db.deleteFrom('early_receipts').where('tenant_id', '=', k.tenantId).where('provider', '=', k.provider).where('provider_message_id', '=', k.providerMessageId).execute();
}

/** After these deliveries were recorded sent: applies receipts that came first. Returns the ids changed. */
export async function applyEarlyReceipts(db: DbOrTx, deliveryIds: readonly string[]): Promise<string[]> {
  if (deliveryIds.length === 0) return [];
  const r = await sql<{ id: string }>`
    with early as (
      delete from early_receipts r
      using deliveries d
      where d.id = any(${[...deliveryIds]}::text[])
        and r.tenant_id = d.tenant_id and r.provider = d.provider and r.provider_message_id = d.provider_message_id
      returning r.status, r.reason, r.error_code, r.received_at, d.id as delivery_id
    )
    update deliveries as d
    set status = early.status,
        delivered_at = case when early.status = 'delivered' then greatest(early.received_at, d.sent_at) else d.delivered_at end,
        failed_at = case when early.status = 'failed' then greatest(early.received_at, d.sent_at) else d.failed_at end,
        reason = case when early.status = 'failed' then coalesce(early.reason, 'the provider reported the message undelivered') else d.reason end,
        error_code = case when early.status = 'failed' then early.error_code else d.error_code end,
        updated_at = now()
    from early
    where d.id = early.delivery_id and d.status = 'sent'
    returning d.id
  `.execute(db);
  return r.rows.map((row) => row.id);
}
