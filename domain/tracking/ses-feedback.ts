// SES bounce, complaint and delivery notifications, posted by Amazon SNS to
// /v1/receipts/{providerId}/sns/{receiptToken}. SNS signs what it sends, but anyone can publish
// to a topic of their own and have it signed, so the URL's receiptToken (the SES provider
// config's) says whose provider it is, and the signature that the message came from SNS.
// A delivery notification is recorded like any receipt (recordReceipt); a permanent bounce or a
// complaint moves the delivery to bounced / complained with its event and suppresses the
// address, as an SMTP bounce does; a transient bounce goes on the timeline only.
import { readSesFeedback, type SesFeedback } from '../../channels/ses-events.js';
import { SnsMessage, type SnsClient } from '../../channels/sns-messages.js';
import type { Logger } from '../../common/logger.js';
import { deliveryIdOfProviderMessage, providerFeedback, suppressEmailAddress } from '../../schema/queries/bounces.js';
import type { ProviderRow } from '../../schema/tables/providers.js';
import { DomainError, forbidden, invalid } from '../errors.js';
import { receiptOwner } from './receipt-owner.js';
import { recordReceipt, type ReceiptDeps } from './receipts.js';
import type { Tracker } from './tracker.js';

export interface SnsReceiptDeps extends ReceiptDeps {
  tracker: Pick<Tracker, 'change' | 'deliveryNotice'>;
  /** Absent: SNS receipts are not taken (503). */
  sns: SnsClient | undefined;
  logger: Logger;
}

export type SnsOutcome = 'confirmed' | 'unsubscribed' | 'applied' | 'ignored';

function parse(body: unknown): SnsMessage {
  let json: unknown = body;
  if (typeof body === 'string') {
    try {
      json = JSON.parse(body);
    } catch {
      throw invalid('invalid_sns_message', 'the body is not JSON');
    }
  }
  const parsed = SnsMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid('invalid_sns_message', `not an SNS message: ${issue?.path.join('.') || 'body'}: ${issue?.message}`);
  }
  return parsed.data;
}

async function verified(deps: SnsReceiptDeps, m: SnsMessage): Promise<void> {
  if (!deps.sns) throw new DomainError('unavailable', 'sns_unavailable', 'SNS receipts are not set up on this server');
  let problem: string | undefined;
  try {
    problem = await deps.sns.problem(m);
  } catch (err) {
    // SNS retries a delivery it could not make: a certificate we could not fetch is worth a retry.
    deps.logger.warn({ err: (err as Error).message }, 'SNS signing certificate unavailable');
    throw new DomainError('unavailable', 'sns_certificate_unavailable', 'the SNS signing certificate could not be fetched');
  }
  if (problem) throw forbidden('bad_signature', problem);
}

async function applyFeedback(deps: SnsReceiptDeps, owner: ProviderRow, f: SesFeedback): Promise<void> {
  const key = { tenantId: owner.tenant_id, provider: owner.id, providerMessageId: f.messageId };
  if (f.kind === 'delivery') return recordReceipt(deps, key, { status: 'delivered' });
  if (f.kind === 'bounce' && !f.permanent) {
    const id = await deliveryIdOfProviderMessage(deps.db, key);
    if (id) await deps.tracker.deliveryNotice(id, { key: `ses:${f.messageId}:${f.code ?? 'transient'}`, reason: f.reason, errorCode: f.code ?? null, details: { provider: 'ses', bounceType: 'Transient' } });
    return;
  }
  const outcome = f.kind === 'bounce' ? { status: 'bounced' as const, reason: f.reason, code: f.code ?? null } : { status: 'complained' as const, reason: f.reason, code: null };
  await deps.tracker.change<string | undefined>((id) => (id ? [id] : []), async (tx) => {
    const row = await providerFeedback(tx, key, outcome);
    for (const address of f.addresses) {
      await suppressEmailAddress(tx, { tenant_id: owner.tenant_id, address, reason: outcome.status, status_code: outcome.code, diagnostic: outcome.reason, delivery_id: row?.id ?? null });
    }
    return row?.id;
  });
}

/** One SNS message for an SES provider: a subscription to confirm, or SES feedback to apply. */
export async function applySnsMessage(deps: SnsReceiptDeps, providerId: string, token: string, body: unknown): Promise<SnsOutcome> {
  const owner = (await receiptOwner(deps, providerId, ['ses'], token)).row;
  const m = parse(body);
  await verified(deps, m);
  const log = deps.logger.child({ tenantId: owner.tenant_id, provider: owner.id, topicArn: m.TopicArn });
  if (m.Type === 'SubscriptionConfirmation') {
    try {
      await deps.sns?.confirm(m);
    } catch (err) {
      throw new DomainError('unavailable', 'sns_confirm_failed', `the subscription could not be confirmed: ${(err as Error).message}`);
    }
    log.info('SNS subscription confirmed');
    return 'confirmed';
  }
  if (m.Type === 'UnsubscribeConfirmation') {
    log.warn('SNS subscription ended: SES notifications stop until the endpoint is subscribed again');
    return 'unsubscribed';
  }
  const feedback = readSesFeedback(m.Message);
  if (feedback && 'problem' in feedback) throw invalid('invalid_ses_notification', feedback.problem);
  if (!feedback) return 'ignored';
  await applyFeedback(deps, owner, feedback);
  return 'applied';
}
