// Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291),
// through the `web-push` package. The push service's status is the whole answer: 404/410
// mean the browser subscription is gone for good and must be deleted by the caller.
import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import webpush, { WebPushError } from 'web-push';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { DEFAULT_TIMEOUT_MS, parseRetryAfter, requireChannel, requireConfig, truncate } from './http.js';
import { enforceLimits } from './limits.js';
import { checkLiteralHost, guardedLookup, outboundPolicyOf, type OutboundPolicy, type OutboundSettings } from './outbound-guard.js';
import type { ChannelAdapter, ChannelLimits, PushMessage, SendResult, WebPushSubscription } from './types.js';
import { z } from 'zod';
import { secret, timeoutMs } from './config-schema.js';

export interface WebPushConfig extends OutboundSettings {
  /** `mailto:` or `https:` contact the push service can reach the sender at. */
  vapidSubject: string;
  vapidPublicKey: string;
  vapidPrivateKey: string;
  /** Default TTL when the message does not set one. */
  defaultTtlSeconds?: number | undefined;
  /** Extra CA certificates (PEM) to trust, for a self-hosted push service. */
  ca?: string | undefined;
  timeoutMs?: number | undefined;
}

/** DeliveryError.code for a subscription that the caller must delete. */
export const SUBSCRIPTION_GONE = 'SUBSCRIPTION_GONE';

// A push service must accept 4096 bytes of encrypted payload (RFC 8291/8188); aes128gcm
// leaves 4096 − 86 bytes of header, key and tag, minus one padding delimiter, for ours.
const LIMITS: ChannelLimits = { lengths: [{ field: 'payload', unit: 'bytes', max: 4078 }], supportsRecall: false, supportsReceipts: false };

function payloadOf(message: PushMessage): string {
  return JSON.stringify({ id: message.messageId, title: message.content.title, body: message.content.body, url: message.content.url, data: message.content.data });
}
const FOUR_WEEKS = 28 * 24 * 3600;

function b64urlBytes(s: string): number {
  return /^[A-Za-z0-9_-]+=*$/.test(s) ? Buffer.from(s, 'base64url').length : -1;
}

function subscriptionOf(to: PushMessage['to']): WebPushSubscription {
  let sub: unknown = to;
  if (typeof to === 'string') {
    try {
      sub = JSON.parse(to);
    } catch {
      sub = undefined;
    }
  }
  const s = sub as Partial<WebPushSubscription> | undefined;
  const invalid = (why: string): DeliveryError => new DeliveryError(DeliveryErrorType.InvalidRecipient, `webpush: invalid subscription: ${why}`, { code: 'EINVALIDSUBSCRIPTION' });
  if (!s || typeof s.endpoint !== 'string' || !s.keys) throw invalid('endpoint and keys are required');
  if (!/^https:\/\//.test(s.endpoint) || !URL.canParse(s.endpoint)) throw invalid('endpoint must be an https URL');
  if (b64urlBytes(s.keys.p256dh) !== 65) throw invalid('p256dh must be an uncompressed P-256 point');
  if (b64urlBytes(s.keys.auth) !== 16) throw invalid('auth must be 16 bytes');
  return { endpoint: s.endpoint, keys: { p256dh: s.keys.p256dh, auth: s.keys.auth } };
}

/** Topic: at most 32 URL-safe base64 characters (RFC 8030 §5.4). */
export function webPushTopic(key: string): string {
  return /^[A-Za-z0-9_-]{1,32}$/.test(key) ? key : createHash('sha256').update(key).digest('base64url').slice(0, 32);
}

function classify(err: unknown): DeliveryError {
  // The outbound guard's refusal (and any other DeliveryError) says what it is already.
  if (err instanceof DeliveryError) return err;
  if (err instanceof WebPushError) {
    const status = err.statusCode;
    const detail = `webpush: push service answered ${status}: ${truncate(String(err.body ?? ''))}`;
    if (status === 404 || status === 410) return new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code: SUBSCRIPTION_GONE, cause: err });
    if (status === 429) {
      const retryAfter = (err.headers as Record<string, string | undefined>)['retry-after'];
      return new DeliveryError(DeliveryErrorType.RateLimited, detail, { code: status, retryAfterMs: parseRetryAfter(retryAfter), cause: err });
    }
    if (status >= 500) return new DeliveryError(DeliveryErrorType.Unavailable, detail, { code: status, cause: err });
    // 401/403: the push service rejects our VAPID JWT or key.
    if (status === 401 || status === 403) return new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code: status, cause: err });
    if (status === 413) return new DeliveryError(DeliveryErrorType.Content, detail, { code: status, cause: err });
    return new DeliveryError(DeliveryErrorType.Rejected, detail, { code: status, cause: err });
  }
  const e = err as { code?: unknown; message?: unknown } | null;
  const message = String(e?.message ?? err);
  if (/vapid|subject|public key|private key/i.test(message)) return new DeliveryError(DeliveryErrorType.ProviderConfig, `webpush: ${message}`, { code: 'EVAPID', cause: err });
  const code = typeof e?.code === 'string' ? e.code : /timeout/i.test(message) ? 'ETIMEDOUT' : 'ECONNECTION';
  return new DeliveryError(DeliveryErrorType.Network, `webpush: ${message}`, { code, cause: err });
}

const b64urlOf = (bytes: number, what: string) => z.string().refine((v) => b64urlBytes(v) === bytes, what);

const ConfigSchema = z.strictObject({
  vapidSubject: z.string().regex(/^(mailto:|https:\/\/)/, 'a mailto: or https: URL').meta({ description: '`mailto:` or `https:` contact the push service can reach the sender at.' }),
  vapidPublicKey: b64urlOf(65, 'an uncompressed P-256 public key, base64url (87 characters)').meta({ description: "The VAPID public key (base64url), the one browsers subscribe with (`applicationServerKey`)." }),
  vapidPrivateKey: secret(b64urlOf(32, 'a P-256 private key, base64url (43 characters)'), 'The VAPID private key (base64url).'),
  defaultTtlSeconds: z.number().int().min(0).max(2_419_200).optional().meta({ description: 'How long the push service keeps an undelivered message when the notification does not say (default four weeks).' }),
  ca: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'PEM certificates' }).optional().meta({ description: 'Extra CA certificates (PEM) to trust, for a self-hosted push service.' }),
  timeoutMs,
});

export function createWebPushAdapter(): ChannelAdapter<WebPushConfig, PushMessage> {
  // One keep-alive agent per trusted-CA set and outbound policy, so connections to a push
  // service are reused. The endpoint is the end user's browser's to choose, so every
  // connection goes through the outbound guard: its lookup refuses names that resolve to
  // private, loopback or link-local addresses the tenant has not allowlisted.
  const agents = new Map<string, Agent>();
  const agentFor = (ca: string | undefined, policy: OutboundPolicy): Agent => {
    const key = JSON.stringify([ca ?? '', policy.allow, policy.dnsServers ?? []]);
    let agent = agents.get(key);
    if (!agent) {
      agent = new Agent({ keepAlive: true, lookup: guardedLookup(policy) as never, ...(ca ? { ca } : {}) });
      agents.set(key, agent);
    }
    return agent;
  };

  return {
    kind: 'webpush',
    channel: 'push',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ payload: payloadOf(message) }),

    async send(message: PushMessage, config: WebPushConfig): Promise<SendResult> {
      requireChannel(message.channel, 'push', 'webpush');
      const vapidDetails = {
        subject: requireConfig(config.vapidSubject, 'webpush', 'vapidSubject'),
        publicKey: requireConfig(config.vapidPublicKey, 'webpush', 'vapidPublicKey'),
        privateKey: requireConfig(config.vapidPrivateKey, 'webpush', 'vapidPrivateKey'),
      };
      const subscription = subscriptionOf(message.to);
      const policy = outboundPolicyOf(config);
      // A literal IP skips the lookup, so it is checked here, before any request is made.
      checkLiteralHost(new URL(subscription.endpoint), policy);
      const payload = payloadOf(message);
      enforceLimits('webpush', LIMITS, { payload });
      const options = message.options;
      try {
        const res = await webpush.sendNotification(subscription, payload, {
          vapidDetails,
          contentEncoding: 'aes128gcm',
          TTL: Math.min(options?.ttlSeconds ?? config.defaultTtlSeconds ?? FOUR_WEEKS, FOUR_WEEKS),
          urgency: options?.urgency ?? 'normal',
          // Without a collapse key, a retry of the same delivery replaces its undelivered twin instead of doubling it.
          topic: webPushTopic(options?.collapseKey ?? message.messageId),
          timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          agent: agentFor(config.ca, policy),
        });
        // RFC 8030 §5: the Location header names the push message resource.
        const location = (res.headers as Record<string, string | undefined>).location;
        return { providerMessageId: location ?? null };
      } catch (err) {
        throw classify(err);
      }
    },

    async close(): Promise<void> {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}
