// What the AWS adapters (SES, SNS) share: client settings that leave retries to Temporal and
// connect through the outbound guard, a small per-adapter cache of SDK clients keyed by their
// config, and the mapping of an SDK error to a DeliveryError.
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { z } from 'zod';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { DEFAULT_TIMEOUT_MS, requireConfig, truncate } from './http.js';
import { checkLiteralHost, guardedLookup, outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface AwsConfig extends OutboundSettings {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A temporary credential's session token. */
  sessionToken?: string | undefined;
  /** Another endpoint than AWS's regional one (a VPC endpoint, a test server). */
  endpoint?: string | undefined;
  timeoutMs?: number | undefined;
}

/** The config fields of every AWS kind (SES, SNS): their schemas spread it into their own. */
export const awsConfigShape = {
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as eu-west-1').meta({ description: 'The AWS region, e.g. `eu-west-1`.' }),
  accessKeyId: z.string().min(16).max(128).meta({ description: "An IAM access key id. Explicit credentials only: the worker's own AWS identity is never used." }),
  secretAccessKey: secret(z.string().min(1).max(256), 'The secret of the access key.'),
  sessionToken: secret(z.string().min(1), "A temporary credential's session token.").optional(),
  endpoint: httpUrl("Another endpoint than AWS's regional one (a VPC endpoint).").optional(),
  timeoutMs,
};

/** Constructor settings common to every AWS SDK client Herald makes. */
export function awsClientSettings(config: AwsConfig, provider: string) {
  const region = requireConfig(config.region, provider, 'region');
  const accessKeyId = requireConfig(config.accessKeyId, provider, 'accessKeyId');
  const secretAccessKey = requireConfig(config.secretAccessKey, provider, 'secretAccessKey');
  const policy = outboundPolicyOf(config);
  if (config.endpoint !== undefined) {
    let u: URL;
    try {
      u = new URL(config.endpoint);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
    } catch {
      throw new DeliveryError(DeliveryErrorType.ProviderConfig, `${provider}: endpoint is not a valid http(s) URL`, { code: 'EINVALIDURL' });
    }
    // A literal IP skips the lookup below, so it is checked here.
    checkLiteralHost(u, policy);
  }
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Every connection, to AWS or to the tenant's endpoint, goes through the outbound guard.
  const lookup = guardedLookup(policy) as never;
  return {
    region,
    // Explicit credentials only: a tenant's provider must never fall back to the worker's own AWS identity.
    credentials: { accessKeyId, secretAccessKey, ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}) },
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // Temporal retries the delivery with backoff and Retry-After; SDK retries inside one attempt would multiply them.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, httpAgent: new HttpAgent({ keepAlive: true, lookup }), httpsAgent: new HttpsAgent({ keepAlive: true, lookup }) },
  };
}

interface Destroyable {
  destroy(): void;
}

/** SDK clients hold connection pools: one per distinct config, reused across sends. */
export function createClientCache<C extends Destroyable>(maxEntries = 50) {
  const clients = new Map<string, C>();
  return {
    get(config: AwsConfig, make: () => C): C {
      const key = createHash('sha256')
        .update(JSON.stringify([config.region, config.endpoint ?? '', config.accessKeyId, config.secretAccessKey, config.sessionToken ?? '', config.timeoutMs ?? 0, config.allowPrivateNetworks ?? [], config.dnsServers ?? []]))
        .digest('hex');
      let client = clients.get(key);
      if (!client) {
        if (clients.size >= maxEntries) {
          const [oldestKey, oldest] = clients.entries().next().value as [string, C];
          clients.delete(oldestKey);
          oldest.destroy();
        }
        client = make();
        clients.set(key, client);
      }
      return client;
    },
    close(): void {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const THROTTLING = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException', 'ThrottledException', 'Throttled', 'RequestLimitExceeded', 'KMSThrottlingException', 'KMSThrottling']);
const CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'ExpiredToken',
  'ExpiredTokenException',
]);

/**
 * An AWS SDK failure as a DeliveryError. `byName` lets an adapter decide its own service's
 * error names first (SES's MessageRejected, SNS's InvalidParameter on PhoneNumber).
 */
export function awsDeliveryError(provider: string, err: unknown, byName: (name: string, message: string) => DeliveryErrorType | undefined = () => undefined): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  const detail = truncate(e.message ?? String(err));
  if (status === undefined) {
    // No HTTP answer: the connection failed or timed out.
    const code = e.code ?? (name === 'TimeoutError' || /timeout/i.test(name) ? 'ETIMEDOUT' : 'ECONNECTION');
    return new DeliveryError(DeliveryErrorType.Network, `${provider}: request failed: ${code}: ${detail}`, { code, cause: err });
  }
  const message = `${provider} ${name} (${status}): ${detail}`;
  const opts = { code: name, cause: err };
  const own = byName(name, e.message ?? '');
  if (own) return new DeliveryError(own, message, opts);
  if (status === 429 || THROTTLING.has(name)) {
    const retryAfter = e.$response?.headers?.['retry-after'];
    const retryAfterMs = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
    return new DeliveryError(DeliveryErrorType.RateLimited, message, { ...opts, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (status >= 500 || status === 408 || e.$fault === 'server') return new DeliveryError(DeliveryErrorType.Unavailable, message, opts);
  if (status === 401 || status === 403 || CREDENTIALS.has(name)) return new DeliveryError(DeliveryErrorType.ProviderConfig, message, opts);
  return new DeliveryError(DeliveryErrorType.Rejected, message, opts);
}
