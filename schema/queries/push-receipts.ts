// Push receipts: the delivery a provider message id names, with the user whose device it went to.
import type { DbOrTx } from '../database.js';

export async function pushDeliveryOfProviderMessage(
  db: DbOrTx,
  k: { tenantId: string; provider: string; providerMessageId: string },
): Promise<{ id: string; user_id: string; channel: string } | undefined> {
  return db
    .selectFrom('deliveries')
    .select(['id', 'user_id', 'channel'])
    .where('tenant_id', '=', k.tenantId)
    .where('provider', '=', k.provider)
    .where('provider_message_id', '=', k.providerMessageId)
    .executeTakeFirst();
}
