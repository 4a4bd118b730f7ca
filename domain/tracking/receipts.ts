// Delivery receipts pushed by providers (Twilio status callbacks). Provider ids are unique
// per tenant only, so the provider's signature over what it sent tells whose callback it is.
import { validateTwilioSignature, type TwilioConfig } from '../../channels/twilio.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { Db } from '../../schema/database.js';
import { findProvidersById } from '../../schema/queries/providers.js';
import { applyOrHoldReceipt } from '../../schema/queries/receipts.js';
import { DomainError, forbidden } from '../errors.js';
import type { Tracker } from './tracker.js';

const TWILIO_FAILED = new Set(['failed', 'undelivered']);

export interface ReceiptDeps {
  db: Db;
  secretBox?: SecretBox | undefined;
  tracker: Pick<Tracker, 'deliveryChanged'>;
}

/** The callback as it arrived: the full URL it was posted to, its signature header and its form fields. */
export interface SignedCallback {
  url: string;
  signature: string | undefined;
  params: Record<string, string | string[]>;
}

/** Applies a delivered or failed status to its delivery, or holds it until the send it reports on is recorded. */
export async function applyTwilioReceipt(deps: ReceiptDeps, providerId: string, cb: SignedCallback): Promise<void> {
  const candidates = (await findProvidersById(deps.db, providerId)).filter((p) => p.kind === 'twilio');
  if (candidates.length === 0 || !deps.secretBox) throw new DomainError('not_found', 'not_found', 'no provider takes receipts at this address');
  const owner = candidates.find((p) => {
    const config = JSON.parse(deps.secretBox?.open(p.config_sealed) ?? '{}') as TwilioConfig;
    return validateTwilioSignature(config.authToken, cb.signature, cb.url, cb.params);
  });
  if (!owner) throw forbidden('bad_signature', 'the receipt signature does not verify');
  const body = cb.params;
  const sid = typeof body.MessageSid === 'string' ? body.MessageSid : undefined;
  const status = typeof body.MessageStatus === 'string' ? body.MessageStatus : undefined;
  if (sid && status === 'delivered') {
    const row = await applyOrHoldReceipt(deps.db, owner.tenant_id, owner.id, sid, { status: 'delivered' });
    if (row) await deps.tracker.deliveryChanged(row.id);
  } else if (sid && status && TWILIO_FAILED.has(status)) {
    const code = typeof body.ErrorCode === 'string' ? body.ErrorCode : undefined;
    const row = await applyOrHoldReceipt(deps.db, owner.tenant_id, owner.id, sid, { status: 'failed', reason: `Twilio reported ${status}${code ? ` (error ${code})` : ''}`, code });
    if (row) await deps.tracker.deliveryChanged(row.id);
  }
}
