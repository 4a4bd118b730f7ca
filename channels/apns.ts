// Apple Push Notification service over HTTP/2 with token-based auth: an ES256 JWT
// {alg, kid}{iss: team, iat} signed with the .p8 key. Apple rejects tokens older than an hour
// and throttles tokens refreshed more often than every 20 minutes, so one is kept ~50 minutes.
// One HTTP/2 session per origin is reused for all sends, as Apple asks.
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { configUrl, DEFAULT_TIMEOUT_MS, parseJson, parseRetryAfter, requireChannel, requireConfig, truncate } from './http.js';
import { enforceLimits } from './limits.js';
import type { ChannelAdapter, ChannelLimits, PushMessage, SendResult } from './types.js';
import { z } from 'zod';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { checkLiteralHost, guardedLookup, outboundPolicyOf, refusalIn, type OutboundSettings } from './outbound-guard.js';

export interface ApnsConfig extends OutboundSettings {
  teamId: string;
  /** Key ID of the .p8 signing key. */
  keyId: string;
  /** The .p8 key (PKCS#8 PEM). */
  privateKey: string;
  /** The app's bundle id (plus `.voip` etc. for other push types). */
  topic: string;
  /** Default `https://api.push.apple.com`; `https://api.sandbox.push.apple.com` for development builds. */
  apiBaseUrl?: string | undefined;
  pushType?: 'alert' | 'background' | undefined;
  /** Extra CA certificates (PEM) to trust. */
  ca?: string | undefined;
  timeoutMs?: number | undefined;
}

interface ProviderToken {
  jwt: string;
  issuedAt: number;
}

export const APNS_TOKEN_TTL_MS = 50 * 60_000;
// APNs refuses a payload over 4096 bytes (413 PayloadTooLarge).
const LIMITS: ChannelLimits = { lengths: [{ field: 'payload', unit: 'bytes', max: 4096 }], supportsRecall: false, supportsReceipts: false };

function payloadOf(message: PushMessage, pushType: string): string {
  const aps = pushType === 'background' ? { 'content-available': 1 } : { alert: { title: message.content.title, body: message.content.body }, sound: 'default' };
  return JSON.stringify({ aps, ...message.content.data, ...(message.content.url ? { url: message.content.url } : {}), heraldMessageId: message.messageId });
}

const RECIPIENT_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic', 'Unregistered', 'ExpiredToken']);
const CONFIG_REASONS = new Set(['BadTopic', 'MissingTopic', 'TopicDisallowed', 'InvalidProviderToken', 'MissingProviderToken', 'BadCertificate', 'BadCertificateEnvironment', 'Forbidden', 'InvalidPushType']);

function b64url(v: object): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function providerJwt(config: ApnsConfig, nowMs: number): string {
  const unsigned = `${b64url({ alg: 'ES256', kid: config.keyId })}.${b64url({ iss: config.teamId, iat: Math.floor(nowMs / 1000) })}`;
  let signature: Buffer;
  try {
    // JWS wants the raw r||s form, not DER.
    signature = sign('sha256', Buffer.from(unsigned), { key: createPrivateKey(config.privateKey), dsaEncoding: 'ieee-p1363' });
  } catch (err) {
    throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'apns: privateKey is not a usable P-256 key', { code: 'EKEY', cause: err });
  }
  return `${unsigned}.${signature.toString('base64url')}`;
}

/** apns-id must be a UUID; a stable one per ledger message lets Apple's logs match our retries. */
export function apnsIdFor(messageId: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(messageId)) return messageId.toLowerCase();
  const h = createHash('sha256').update(messageId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface Http2Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const ConfigSchema = z.strictObject({
  teamId: z.string().regex(/^[A-Z0-9]{10}$/, 'the 10-character Team ID').meta({ description: 'The Apple developer Team ID.' }),
  keyId: z.string().regex(/^[A-Z0-9]{10}$/, 'the 10-character Key ID').meta({ description: 'The Key ID of the `.p8` signing key.' }),
  privateKey: secret(z.string().includes('PRIVATE KEY', { message: 'a PEM private key' }), 'The `.p8` key (PKCS#8 PEM).'),
  topic: z.string().min(1).max(255).meta({ description: "The app's bundle id (plus `.voip` etc. for other push types)." }),
  apiBaseUrl: httpUrl('Default `https://api.push.apple.com`; `https://api.sandbox.push.apple.com` for development builds.').optional(),
  pushType: z.enum(['alert', 'background']).optional().meta({ description: 'Default `alert`.' }),
  ca: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'PEM certificates' }).optional().meta({ description: 'Extra CA certificates (PEM) to trust.' }),
  timeoutMs,
});

export function createApnsAdapter(): ChannelAdapter<ApnsConfig, PushMessage> {
  const sessions = new Map<string, ClientHttp2Session>();
  const tokens = new Map<string, ProviderToken>();

  /** The base URL is the tenant's to set, so the connection goes through the outbound guard. */
  function sessionFor(origin: string, config: ApnsConfig): ClientHttp2Session {
    const policy = outboundPolicyOf(config);
    const key = JSON.stringify([origin, config.ca ?? '', policy.allow, policy.dnsServers ?? []]);
    const existing = sessions.get(key);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    // A literal IP skips the lookup, so it is checked before connecting.
    checkLiteralHost(new URL(origin), policy);
    const session = connect(origin, { lookup: guardedLookup(policy) as never, ...(config.ca ? { ca: config.ca } : {}) });
    const forget = (): void => {
      if (sessions.get(key) === session) sessions.delete(key);
    };
    // A session that errors or receives GOAWAY is dropped; the next send opens a new one.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    sessions.set(key, session);
    return session;
  }

  function tokenFor(config: ApnsConfig): string {
    const key = `${config.teamId}|${config.keyId}|${createHash('sha256').update(config.privateKey).digest('hex')}`;
    const now = Date.now();
    const cached = tokens.get(key);
    if (cached && now - cached.issuedAt < APNS_TOKEN_TTL_MS) return cached.jwt;
    const jwt = providerJwt(config, now);
    tokens.set(key, { jwt, issuedAt: now });
    return jwt;
  }

  function request(session: ClientHttp2Session, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Http2Answer> {
    return new Promise((resolve, reject) => {
      let req;
      try {
        req = session.request(headers);
      } catch (err) {
        reject(err);
        return;
      }
      const chunks: Buffer[] = [];
      let status = 0;
      let timedOut = false;
      let resHeaders: Http2Answer['headers'] = {};
      req.setTimeout(timeoutMs, () => {
        timedOut = true;
        req.close(constants.NGHTTP2_CANCEL);
      });
      req.on('response', (h) => {
        status = Number(h[':status']);
        resHeaders = h as Http2Answer['headers'];
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve({ status, headers: resHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      req.on('error', reject);
      req.on('close', () => {
        if (timedOut) reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
        else if (!status) reject(Object.assign(new Error('stream closed before a response'), { code: 'ECONNRESET' }));
      });
      req.end(body);
    });
  }

  return {
    kind: 'apns',
    channel: 'push',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message, config) => ({ payload: payloadOf(message, config?.pushType ?? 'alert') }),

    async send(message: PushMessage, config: ApnsConfig): Promise<SendResult> {
      requireChannel(message.channel, 'push', 'apns');
      requireConfig(config.teamId, 'apns', 'teamId');
      requireConfig(config.keyId, 'apns', 'keyId');
      requireConfig(config.privateKey, 'apns', 'privateKey');
      const topic = requireConfig(config.topic, 'apns', 'topic');
      if (typeof message.to !== 'string' || !/^[0-9a-fA-F]{64,200}$/.test(message.to)) {
        throw new DeliveryError(DeliveryErrorType.InvalidRecipient, 'apns: recipient must be a hex device token', { code: 'BadDeviceToken' });
      }
      const o = message.options;
      const pushType = config.pushType ?? 'alert';
      const body = payloadOf(message, pushType);
      enforceLimits('apns', LIMITS, { payload: body });
      if (o?.collapseKey && Buffer.byteLength(o.collapseKey) > 64) throw new DeliveryError(DeliveryErrorType.Content, 'apns: collapse id exceeds 64 bytes', { code: 'BadCollapseId' });

      const origin = configUrl(config.apiBaseUrl ?? 'https://api.push.apple.com', 'apns', 'apiBaseUrl').origin;
      // Background pushes must use priority 5; alerts go out immediately unless marked low.
      const priority = pushType === 'background' || o?.urgency === 'low' || o?.urgency === 'very-low' ? '5' : '10';
      const headersFor = (jwt: string): Record<string, string> => ({
        ':method': 'POST',
        ':path': `/3/device/${message.to as string}`,
        authorization: `bearer ${jwt}`,
        'apns-topic': topic,
        'apns-push-type': pushType,
        'apns-priority': priority,
        // 0 means "deliver once or drop"; otherwise Apple stores the message until this time.
        'apns-expiration': String(o?.ttlSeconds !== undefined ? Math.floor(Date.now() / 1000) + o.ttlSeconds : 0),
        'apns-id': apnsIdFor(message.messageId),
        'content-type': 'application/json',
        ...(o?.collapseKey ? { 'apns-collapse-id': o.collapseKey } : {}),
      });

      const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const attempt = async (): Promise<Http2Answer> => {
        const headers = headersFor(tokenFor(config));
        try {
          return await request(sessionFor(origin, config), headers, body, timeoutMs);
        } catch (err) {
          const refused = refusalIn(err);
          if (refused) throw refused;
          // A failed connect cancels the pending stream; the socket's own error is its cause.
          const root = ((err as { cause?: unknown }).cause ?? err) as { code?: unknown; message?: unknown };
          const code = typeof root.code === 'string' ? root.code : 'ECONNECTION';
          throw new DeliveryError(DeliveryErrorType.Network, `apns: ${String(root.message ?? err)}`, { code, cause: err });
        }
      };

      let res = await attempt();
      let reason = (parseJson(res.body) as { reason?: string } | undefined)?.reason;
      if (res.status === 403 && reason === 'ExpiredProviderToken') {
        tokens.clear();
        res = await attempt();
        reason = (parseJson(res.body) as { reason?: string } | undefined)?.reason;
      }
      const apnsId = res.headers['apns-id'];
      if (res.status === 200) return { providerMessageId: typeof apnsId === 'string' ? apnsId : apnsIdFor(message.messageId) };

      const detail = `apns ${res.status} ${reason ?? ''}: ${truncate(res.body)}`;
      const code = reason ?? res.status;
      if (res.status === 410 || (reason && RECIPIENT_REASONS.has(reason))) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, detail, { code });
      if (res.status === 429) {
        const ra = res.headers['retry-after'];
        throw new DeliveryError(DeliveryErrorType.RateLimited, detail, { code, retryAfterMs: parseRetryAfter(typeof ra === 'string' ? ra : undefined) });
      }
      if (res.status >= 500) throw new DeliveryError(DeliveryErrorType.Unavailable, detail, { code });
      if (res.status === 413) throw new DeliveryError(DeliveryErrorType.Content, detail, { code });
      if (res.status === 403 || (reason && CONFIG_REASONS.has(reason))) throw new DeliveryError(DeliveryErrorType.ProviderConfig, detail, { code });
      throw new DeliveryError(DeliveryErrorType.Rejected, detail, { code });
    },

    async close(): Promise<void> {
      await Promise.all(
        [...sessions.values()].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
            }),
        ),
      );
      sessions.clear();
      tokens.clear();
    },
  };
}
