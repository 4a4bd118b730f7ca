// Whose provider a receipt URL names. Provider ids are unique per tenant only, so the URL's
// receipt token (the provider config's `receiptToken`, channels/sms-reports.ts) says whose it is.
import { receiptTokenMatches } from '../../channels/sms-reports.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { Db } from '../../schema/database.js';
import { findProvidersById } from '../../schema/queries/providers.js';
import type { ProviderRow } from '../../schema/tables/providers.js';
import { DomainError, forbidden } from '../errors.js';

export interface ReceiptOwner<C> {
  row: ProviderRow;
  config: C;
}

/** The provider of one of these kinds whose receiptToken is `token`: 404 when none of that id takes receipts, 403 when the token matches none. */
export async function receiptOwner<C extends { receiptToken?: string | undefined }>(
  deps: { db: Db; secretBox?: SecretBox | undefined },
  providerId: string,
  kinds: readonly string[],
  token: string,
): Promise<ReceiptOwner<C>> {
  const candidates = (await findProvidersById(deps.db, providerId)).filter((p) => kinds.includes(p.kind));
  if (candidates.length === 0 || !deps.secretBox) throw new DomainError('not_found', 'not_found', 'no provider takes receipts at this address');
  for (const row of candidates) {
    const config = JSON.parse(deps.secretBox.open(row.config_sealed)) as C;
    if (receiptTokenMatches(config.receiptToken, token)) return { row, config };
  }
  throw forbidden('bad_receipt_token', 'the receipt token in the URL does not match the provider’s receiptToken');
}
