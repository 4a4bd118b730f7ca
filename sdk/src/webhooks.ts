// Receiving Herald's webhooks: the events as a typed union, and a verifier that checks the
// Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with
// the `standardwebhooks` package before it returns anything. During a secret rotation
// Herald signs with the old and the new secret, so a receiver holding either verifies.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { components } from './schema.js';

/** The body of every webhook: one member per event type, discriminated by `type` (generated from /openapi.json). */
export type HeraldWebhookEvent = components['schemas']['WebhookEvent'];

/** The event types an endpoint subscribes to (generated from /openapi.json). */
export type WebhookEventType = components['schemas']['WebhookEventType'];

/** A delivery's state change (`delivery.*`); `reason` and `errorCode` carry the policy's reason or the provider's reply. */
export type WebhookDeliveryData = components['schemas']['WebhookDeliveryData'];
/** `notification.accepted`: the notification's run started. */
export type WebhookNotificationAcceptedData = components['schemas']['WebhookNotificationAcceptedData'];
/** `approval.requested`: a bulk send waits for an approver. */
export type WebhookApprovalRequestedData = components['schemas']['WebhookApprovalRequestedData'];
/** `approval.decided`: by a key, or by the timeout (`decidedBy` null). */
export type WebhookApprovalDecidedData = components['schemas']['WebhookApprovalDecidedData'];
/** `notification.completed`: the final status and the deliveries' counts. */
export type WebhookNotificationCompletedData = components['schemas']['WebhookNotificationCompletedData'];

export interface VerifiedWebhook {
  /** `webhook-id`: the same for every retry and redelivery of the event; drop ids already handled. */
  id: string;
  event: HeraldWebhookEvent;
}

export { WebhookVerificationError };

/**
 * Checks the signature (and that the timestamp is within five minutes) against any of
 * `secrets` (`whsec_…`), then parses the body. Pass the raw body, exactly as received.
 * Throws WebhookVerificationError when nothing verifies.
 */
export function verifyWebhook(secrets: string | readonly string[], body: string, headers: Record<string, string | string[] | undefined>): VerifiedWebhook {
  const h = (name: string): string => {
    const v = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  };
  const wanted = { 'webhook-id': h('webhook-id'), 'webhook-timestamp': h('webhook-timestamp'), 'webhook-signature': h('webhook-signature') };
  let last: unknown = new WebhookVerificationError('no secret given');
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    try {
      return { id: wanted['webhook-id'], event: new Webhook(secret).verify(body, wanted) as HeraldWebhookEvent };
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
