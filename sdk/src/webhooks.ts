// Receiving Herald's webhooks: the events as a typed union, and a verifier that checks the
// Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with
// the `standardwebhooks` package before it returns anything. During a secret rotation
// Herald signs with the old and the new secret, so a receiver holding either verifies.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { components } from './schema.js';

/** A delivery's state change; `reason` and `errorCode` carry the policy's reason or the provider's reply. */
export interface WebhookDeliveryData {
  notificationId: string;
  deliveryId: string;
  userId: string;
  channel: string;
  provider: string | null;
  templateKey: string;
  templateVersion: number;
  priority: 'high' | 'medium' | 'low';
  category: string | null;
  reason: string | null;
  errorCode: string | null;
  /** On `delivery.sent`: from the notification's creation to the provider taking the message. */
  createdToSentMs: number | null;
  /** On `delivery.delivered` from a provider receipt. */
  sentToDeliveredMs: number | null;
}

/** The event types an endpoint subscribes to (generated from /openapi.json). */
export type WebhookEventType = components['schemas']['WebhookEventType'];

/** The body of every webhook: one member per event type. */
export type HeraldWebhookEvent = { [T in WebhookEventType]: { type: T; timestamp: string; data: WebhookDeliveryData } }[WebhookEventType];

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
