// What every HTTP-based adapter shares: one request function (every connection checked by the
// outbound guard) that turns network failures into DeliveryError, Retry-After parsing, and the
// default status → error-type mapping.
import type { IncomingHttpHeaders } from 'node:http';
import { request as undiciRequest, type Agent, type Dispatcher } from 'undici';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { checkLiteralHost, guardedDispatcher, OutboundRefused, refusalIn, type OutboundPolicy } from './outbound-guard.js';

export interface HttpRequest {
  url: string;
  method?: Dispatcher.HttpMethod | undefined;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
  timeoutMs?: number | undefined;
  /**
   * Every URL an adapter calls is a tenant's (a robot URL, a gateway, an API's base URL in its
   * provider config) or an end user's (a webhook endpoint), so every connection goes through
   * the outbound guard: private, loopback and link-local targets are refused unless allowed.
   */
  outbound: OutboundPolicy;
}

/** A response's headers, read by name (case-insensitive); a `Headers` is one too. */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

function headersOf(raw: IncomingHttpHeaders): ResponseHeaders {
  return {
    get(name) {
      const v = raw[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Providers' error bodies are small; a huge body is not worth holding in memory or in logs. */
const MAX_DETAIL_CHARS = 500;

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  // undici wraps the socket error one or two levels deep.
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

// One keep-alive pool per outbound policy (a tenant's allowlist and Herald's resolvers), so a
// provider's connections are reused; each new connection is checked by the guard's lookup.
const MAX_DISPATCHERS = 100;
const dispatchers = new Map<string, Agent>();

function dispatcherFor(policy: OutboundPolicy): Agent {
  const key = JSON.stringify([[...policy.allow].sort(), policy.dnsServers ?? []]);
  let agent = dispatchers.get(key);
  if (!agent) {
    if (dispatchers.size >= MAX_DISPATCHERS) {
      const [oldestKey, oldest] = dispatchers.entries().next().value as [string, Agent];
      dispatchers.delete(oldestKey);
      void oldest.close();
    }
    agent = guardedDispatcher(policy);
    dispatchers.set(key, agent);
  }
  return agent;
}

/** The request's URL, checked before anything is sent: http(s) only, a literal IP against the policy. */
function targetOf(req: HttpRequest): URL {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch (err) {
    // The URL itself may carry a token (Telegram, Slack, DingTalk), so it is not echoed.
    throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'invalid provider URL', { code: 'EINVALIDURL', cause: err });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundRefused(`${url.protocol} is not http(s)`);
  // Literal IPs skip DNS, so they are checked here.
  checkLiteralHost(url, req.outbound);
  return url;
}

/**
 * One request; redirects are never followed (a receiver is untrusted: a redirect must not
 * silently move where we post), a 3xx is answered like any status. undici's `request`, not its
 * `fetch`: the same pool and guard at about a third of the CPU per request
 * (bench/README.md, "HTTP requests").
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const url = targetOf(req);
  const signal = AbortSignal.timeout(timeoutMs);
  const fail = (err: unknown, doing: string, fallbackCode: string): DeliveryError => {
    const refused = refusalIn(err);
    if (refused) return refused;
    if (err instanceof DeliveryError) return err;
    const name = (err as { name?: string } | null)?.name;
    if (signal.aborted || name === 'TimeoutError' || name === 'AbortError') {
      return new DeliveryError(DeliveryErrorType.Network, `no answer from ${url.host} within ${timeoutMs} ms`, { code: 'ETIMEDOUT', cause: err });
    }
    const code = causeCode(err) ?? fallbackCode;
    return new DeliveryError(DeliveryErrorType.Network, `${doing} ${url.host} failed: ${code}`, { code, cause: err });
  };
  let res: Awaited<ReturnType<typeof undiciRequest>>;
  try {
    res = await undiciRequest(url, {
      method: req.method ?? 'POST',
      headers: req.headers,
      body: req.body,
      signal,
      dispatcher: dispatcherFor(req.outbound),
    });
  } catch (err) {
    throw fail(err, 'request to', 'ECONNECTION');
  }
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw fail(err, 'reading the answer from', 'ECONNRESET');
  }
  return { status: res.statusCode, headers: headersOf(res.headers), text };
}

/** `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function truncate(text: string): string {
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export interface StatusErrorOptions {
  /** Type for 404/410: for most providers the addressed destination no longer exists. */
  goneType?: DeliveryErrorType;
  code?: string | number | undefined;
  retryAfterMs?: number | undefined;
}

/**
 * The default mapping of a non-success HTTP status. Adapters that know better (a provider's
 * own error codes in the body) decide first and call this for the rest.
 */
export function errorForStatus(provider: string, res: HttpResponse, detail: string, opts: StatusErrorOptions = {}): DeliveryError {
  const { status } = res;
  const code = opts.code ?? status;
  const message = `${provider} answered ${status}: ${truncate(detail || res.text)}`;
  if (status === 429) {
    const retryAfterMs = opts.retryAfterMs ?? parseRetryAfter(res.headers.get('retry-after'));
    return new DeliveryError(DeliveryErrorType.RateLimited, message, { code, retryAfterMs });
  }
  // 408 and 425 are the two 4xx that say "the same request may work later".
  if (status >= 500 || status === 408 || status === 425) {
    return new DeliveryError(DeliveryErrorType.Unavailable, message, { code, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
  }
  if (status === 401 || status === 403) return new DeliveryError(DeliveryErrorType.ProviderConfig, message, { code });
  if (status === 404 || status === 410) return new DeliveryError(opts.goneType ?? DeliveryErrorType.InvalidRecipient, message, { code });
  if (status >= 300 && status < 400) {
    const location = res.headers.get('location');
    return new DeliveryError(DeliveryErrorType.Rejected, `${provider} answered ${status} redirect${location ? ` to ${location}` : ''}; redirects are not followed`, { code });
  }
  return new DeliveryError(DeliveryErrorType.Rejected, message, { code });
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** A base URL from config joined with a path, tolerating a trailing slash on the base. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

export function requireConfig<T>(value: T | undefined | null | '', provider: string, name: string): T {
  if (value === undefined || value === null || value === '') {
    throw new DeliveryError(DeliveryErrorType.ProviderConfig, `${provider}: ${name} is not configured`, { code: 'ECONFIG' });
  }
  return value;
}

/** A configured URL, parsed; a malformed one is a configuration error, not a crash. */
export function configUrl(value: string | undefined, provider: string, name: string): URL {
  const raw = requireConfig(value, provider, name);
  try {
    return new URL(raw);
  } catch {
    throw new DeliveryError(DeliveryErrorType.ProviderConfig, `${provider}: ${name} is not a valid URL`, { code: 'EINVALIDURL' });
  }
}

/** Adapters meant for one channel reject the others early, before any network call. */
export function requireChannel<C extends string>(got: string, want: C, provider: string): void {
  if (got !== want) {
    throw new DeliveryError(DeliveryErrorType.Content, `${provider} sends ${want} messages, not ${got}`, { code: 'ECHANNEL' });
  }
}
