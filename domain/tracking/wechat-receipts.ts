// WeChat Official Account template message receipts: the TEMPLATESENDJOBFINISH event WeChat
// pushes to the account's server URL, /v1/receipts/{providerId}/wechat/{receiptToken}. The
// URL's token says whose provider it is; the query's signature (the server configuration's
// Token, channels/wechat-events.ts) that WeChat sent it. Recorded like any other receipt
// (recordReceipt): delivered, or failed with WeChat's status as the reason.
import { readTemplateSendJobFinish, wechatSignatureMatches, type WechatSignedQuery } from '../../channels/wechat-events.js';
import { forbidden, invalid } from '../errors.js';
import { recordReceipt, type ReceiptDeps } from './receipts.js';
import { receiptOwner } from './receipt-owner.js';

interface WechatReceiptConfig {
  receiptToken?: string | undefined;
  serverToken?: string | undefined;
}

async function verifiedOwner(deps: ReceiptDeps, providerId: string, token: string, q: WechatSignedQuery) {
  const owner = await receiptOwner<WechatReceiptConfig>(deps, providerId, ['wechat-template'], token);
  if (!owner.config.serverToken) throw forbidden('bad_signature', 'the provider has no serverToken to verify WeChat’s signature with');
  if (!wechatSignatureMatches(owner.config.serverToken, q)) throw forbidden('bad_signature', 'the signature does not verify with the provider’s serverToken');
  return owner;
}

/** The server URL check WeChat makes when the URL is saved: the echostr back, once the signature verifies. */
export async function answerWechatUrlCheck(deps: ReceiptDeps, providerId: string, token: string, q: WechatSignedQuery & { echostr: string }): Promise<string> {
  await verifiedOwner(deps, providerId, token, q);
  return q.echostr;
}

/** One pushed message: a template send's outcome is applied; any other event is acknowledged and left alone. */
export async function applyWechatEvent(deps: ReceiptDeps, providerId: string, token: string, q: WechatSignedQuery, xml: string): Promise<'applied' | 'ignored'> {
  const owner = await verifiedOwner(deps, providerId, token, q);
  const outcome = readTemplateSendJobFinish(xml);
  if (outcome && 'problem' in outcome) throw invalid('invalid_wechat_event', outcome.problem);
  if (!outcome) return 'ignored';
  const key = { tenantId: owner.row.tenant_id, provider: owner.row.id, providerMessageId: outcome.msgId };
  await recordReceipt(deps, key, outcome.delivered ? { status: 'delivered' } : { status: 'failed', reason: outcome.reason, code: outcome.code });
  return 'applied';
}
