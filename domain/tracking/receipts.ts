// Delivery receipts pushed by providers (Twilio status callbacks). Provider ids are unique
// per tenant only, so the provider's signature over what it sent tells whose callback it is.
import { validateTwilioSignature, type TwilioConfig } from '../../channels/twilio.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { Db } from '../../schema/database.js';
import { findProvidersById } from '../../schema/queries/providers.js';
import { applyReceipt } from '../../schema/queries/deliveries.js';
import { dropHeldReceipt, holdReceipt, type ReceiptKey, type ReceiptOutcome } from '../../schema/queries/receipts.js';
import { DomainError, forbidden } from '../errors.js';
import type { Tracker } from './tracker.js';

const TWILIO_FAILED = new Set(['failed', 'undelivered']);

export interface ReceiptDeps {
  db: Db;
  secretBox?: SecretBox | undefined;
  tracker: Pick<Tracker, 'change'>;
}

/** The callback as it arrived: the full URL it was posted to, its signature header and its form fields. */
export interface SignedCallback {
  url: string;
  signature: string | undefined;
  params: Record<string, string | string[]>;
}

/**
 * The one way a provider's receipt changes a delivery: applied with its events in one
 * transaction, or, when the send it reports on is not recorded yet, held for that send's
 * completion to apply (domain/delivery/ledger-groups.ts). Each step commits on its own so
 * that one of the two sides always sees the other: the completion commits before it looks
 * for held receipts, and the hold commits before the receipt is tried once more.
 */
export async function recordReceipt(deps: Pick<ReceiptDeps, 'db' | 'tracker'>, key: ReceiptKey, outcome: ReceiptOutcome): Promise<void> {
  const apply = () => deps.tracker.change<{ id: string } | undefined>((row) => (row ? [row.id] : []), (tx) => applyReceipt(tx, key.tenantId, key.provider, key.providerMessageId, outcome));
  if (await apply()) return;
  await holdReceipt(deps.db, key, outcome);
  if (await apply()) await dropHeldReceipt(deps.db, key);
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
    await recordReceipt(deps, { tenantId: owner.tenant_id, provider: owner.id, providerMessageId: sid }, { status: 'delivered' });
  } else if (sid && status && TWILIO_FAILED.has(status)) {
    const code = typeof body.ErrorCode === 'string' ? body.ErrorCode : undefined;
    await recordReceipt(deps, { tenantId: owner.tenant_id, provider: owner.id, providerMessageId: sid }, { status: 'failed', reason: `Twilio reported ${status}${code ? ` (error ${code})` : ''}`, code });
  }
}
