// Outgoing webhooks to subscriber endpoints, signed so the receiver can prove the body came
// from Herald and is fresh: X-Herald-Signature: v1=hex(HMAC-SHA256(secret, timestamp + "." + body)).
import { createHmac } from 'node:crypto';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, requireChannel, requireConfig } from './http.js';
import { enforceLimits } from './limits.js';
import type { ChannelAdapter, ChannelLimits, SendResult, WebhookMessage } from './types.js';
import { z } from 'zod';
import { secret, timeoutMs } from './config-schema.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

/** Herald fills in the outbound settings (the tenant's allowlist, its resolvers); the tenant cannot. */
export interface WebhookConfig extends OutboundSettings {
  /** Shared signing secret of the subscription. */
  secret: string;
  timeoutMs?: number | undefined;
  /** Extra static headers, e.g. an API key the receiver expects. */
  headers?: Record<string, string> | undefined;
}

export const WEBHOOK_SIGNATURE_HEADER = 'X-Herald-Signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Herald-Timestamp';

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

// Receivers commonly cap request bodies around here (GitHub's own webhooks cap at 25 MB, many
// frameworks default to 100 KB–1 MB); Herald promises subscribers no more than 256 KiB.
const LIMITS: ChannelLimits = { lengths: [{ field: 'body', unit: 'bytes', max: 256 * 1024 }], supportsRecall: false, supportsReceipts: false };

/** createdAt is an ISO time of fixed width, so a body measured earlier has the size of the one sent. */
function bodyOf(message: WebhookMessage): string {
  return JSON.stringify({ id: message.messageId, event: message.content.event, createdAt: new Date().toISOString(), data: message.content.data });
}

// The endpoint is each user's `webhook` identity, not provider config.
const ConfigSchema = z.strictObject({
  secret: secret(z.string().min(1).max(256), 'The signing secret: `X-Herald-Signature` is `v1=` + hex HMAC-SHA256 of `timestamp.body`.'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.string().max(1000)).optional().meta({ description: 'Extra static headers, e.g. an API key the receiver expects.' }),
  timeoutMs,
});

export function createWebhookAdapter(): ChannelAdapter<WebhookConfig, WebhookMessage> {
  return {
    kind: 'webhook',
    channel: 'webhook',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ body: bodyOf(message) }),

    async send(message: WebhookMessage, config: WebhookConfig): Promise<SendResult> {
      requireChannel(message.channel, 'webhook', 'webhook');
      const secret = requireConfig(config.secret, 'webhook', 'secret');
      let url: URL;
      try {
        url = new URL(message.to);
      } catch {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `webhook endpoint is not a URL: ${message.to}`, { code: 'EINVALIDURL' });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `webhook endpoint must be http(s): ${url.protocol}`, { code: 'EINVALIDURL' });
      }
      const timestamp = String(Math.floor(Date.now() / 1000));
      const body = bodyOf(message);
      enforceLimits('webhook', LIMITS, { body });
      const res = await httpRequest({
        url: url.toString(),
        method: 'POST',
        headers: {
          ...config.headers,
          'content-type': 'application/json',
          'user-agent': 'Herald-Webhook/1',
          'x-herald-message-id': message.messageId,
          'x-herald-event': message.content.event,
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        },
        body,
        timeoutMs: config.timeoutMs,
        outbound: outboundPolicyOf(config),
      });
      // 401/403 from a subscriber means it rejects our signature or key: a subscription
      // problem, not a sender misconfiguration, and 404/410 mean the endpoint is gone.
      if (!isSuccess(res.status)) {
        const err = errorForStatus('webhook endpoint', res, res.text);
        if (err.type === DeliveryErrorType.ProviderConfig) throw new DeliveryError(DeliveryErrorType.Rejected, err.message, { code: res.status });
        throw err;
      }
      return { providerMessageId: res.headers.get('x-request-id') ?? message.messageId };
    },

    // fetch shares undici's global pool; there is nothing of ours to release.
    async close(): Promise<void> {},
  };
}
