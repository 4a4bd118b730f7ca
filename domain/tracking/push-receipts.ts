// Receipts from push providers (Huawei Push Kit, Xiaomi push), posted to
// /v1/receipts/{providerId}/{huawei|xiaomi}/{receiptToken}. Each is recorded like any other
// receipt (recordReceipt): delivered or failed, with its event, on the delivery the send
// recorded, or held until that send is recorded. A receipt calling a device token gone also
// removes the token from the user's profile, with a target_removed entry on the timeline, as
// a send answer saying so does; a receipt that ends nothing goes on the timeline only.
import { createHash } from 'node:crypto';
import { HUAWEI_RECEIPT_ACK, huaweiCallbackIdMatches, readHuaweiReceipts } from '../../channels/huawei-receipts.js';
import type { PushReceipt, PushReceiptBatch } from '../../channels/push-receipts.js';
import { readXiaomiReceipts } from '../../channels/xiaomi-receipts.js';
import { forgetPushTargets } from '../../schema/queries/identities.js';
import { pushDeliveryOfProviderMessage } from '../../schema/queries/push-receipts.js';
import { forbidden, invalid } from '../errors.js';
import { recordReceipt, type ReceiptDeps } from './receipts.js';
import { receiptOwner } from './receipt-owner.js';
import type { Tracker } from './tracker.js';

export interface PushReceiptDeps extends ReceiptDeps {
  tracker: Pick<Tracker, 'change' | 'deliveryNotice' | 'targetsRemoved'>;
}

interface HuaweiReceiptConfig {
  receiptToken?: string | undefined;
  receiptUserName?: string | undefined;
  receiptKey?: string | undefined;
}

type Key = { tenantId: string; provider: string; providerMessageId: string };

/** The device tokens a receipt calls gone leave the profile of the user the delivery went to. */
async function forgetGoneTargets(deps: PushReceiptDeps, key: Key, kind: string, tokens: string[]): Promise<void> {
  const d = await pushDeliveryOfProviderMessage(deps.db, key);
  if (!d || d.channel !== 'push') return;
  await deps.db.transaction().execute((tx) => forgetPushTargets(tx, key.tenantId, d.user_id, { webpushEndpoints: [], tokens }));
  const removal = createHash('sha256').update([...tokens].sort().join('\n')).digest('hex').slice(0, 16);
  await deps.tracker.targetsRemoved(d.id, { key: removal, provider: kind, count: tokens.length });
}

async function applyOne(deps: PushReceiptDeps, tenantId: string, provider: string, kind: string, r: PushReceipt): Promise<void> {
  const key = { tenantId, provider, providerMessageId: r.providerMessageId };
  if (r.goneTargets.length > 0) await forgetGoneTargets(deps, key, kind, r.goneTargets);
  if (r.outcome === 'delivered') return recordReceipt(deps, key, { status: 'delivered' });
  if (r.outcome === 'failed') return recordReceipt(deps, key, { status: 'failed', reason: r.reason, code: r.code });
  const d = await pushDeliveryOfProviderMessage(deps.db, key);
  if (d) await deps.tracker.deliveryNotice(d.id, { key: `${kind}:${r.providerMessageId}:${r.code}`, reason: r.reason, errorCode: r.code, details: { provider: kind } });
}

async function applyBatch(deps: PushReceiptDeps, tenantId: string, provider: string, kind: string, batch: PushReceiptBatch): Promise<void> {
  if ('problem' in batch) throw invalid('invalid_receipt', `not a ${kind} receipt: ${batch.problem}`);
  for (const r of batch.receipts) await applyOne(deps, tenantId, provider, kind, r);
}

/** Push Kit's receipts; with a callback user name and key configured, the X-HUAWEI-CALLBACK-ID header must verify. Returns Push Kit's expected answer. */
export async function applyHuaweiReceipts(deps: PushReceiptDeps, providerId: string, token: string, callbackId: string | undefined, body: unknown): Promise<typeof HUAWEI_RECEIPT_ACK> {
  const owner = await receiptOwner<HuaweiReceiptConfig>(deps, providerId, ['huawei-push'], token);
  const { receiptUserName, receiptKey } = owner.config;
  if (receiptKey && !huaweiCallbackIdMatches(callbackId, receiptUserName ?? '', receiptKey)) {
    throw forbidden('bad_signature', 'the X-HUAWEI-CALLBACK-ID header does not verify with the provider’s receiptUserName and receiptKey');
  }
  await applyBatch(deps, owner.row.tenant_id, owner.row.id, 'huawei-push', readHuaweiReceipts(body));
  return HUAWEI_RECEIPT_ACK;
}

/** MiPush's receipts (the form field `data`); MiPush does not sign them, so the URL's token is the proof. */
export async function applyXiaomiReceipts(deps: PushReceiptDeps, providerId: string, token: string, body: unknown): Promise<void> {
  const owner = await receiptOwner(deps, providerId, ['xiaomi-push'], token);
  await applyBatch(deps, owner.row.tenant_id, owner.row.id, 'xiaomi-push', readXiaomiReceipts(body));
}
