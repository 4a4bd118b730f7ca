// Corp-app APIs (DingTalk, WeCom) authenticate every call with an access token fetched from
// the app's credentials. It lives about two hours and both platforms limit how often it may
// be fetched, so each adapter keeps the tokens it fetched until shortly before they expire;
// concurrent sends share one fetch, and a token the platform calls expired is dropped.
import { createHash } from 'node:crypto';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, parseJson, truncate } from './http.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

interface Entry {
  token: Promise<string>;
  /** The token once fetched, so `invalidate` can tell whether it is still this one. */
  value?: string;
  until: number;
}

export interface TokenCache {
  get(key: string, fetch: () => Promise<FetchedToken>): Promise<string>;
  /** Drops `token` if it is still the cached one (another send may have refreshed it already). */
  invalidate(key: string, token: string): void;
  clear(): void;
}

/** A cache key for one app's credentials that does not keep the secret itself in memory as a key. */
export function tokenKey(...parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function createTokenCache(maxEntries = 1000): TokenCache {
  const entries = new Map<string, Entry>();
  return {
    get(key, fetch) {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.until > now) return hit.token;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      const entry: Entry = { token: Promise.resolve(''), until: Infinity };
      entry.token = fetch().then(
        (t) => {
          // Refreshed a little early: a token must not expire between this check and the platform's.
          const margin = Math.min(300, t.expiresInSeconds / 10);
          entry.until = Date.now() + (t.expiresInSeconds - margin) * 1000;
          entry.value = t.token;
          return t.token;
        },
        (err: unknown) => {
          if (entries.get(key) === entry) entries.delete(key);
          throw err;
        },
      );
      entries.set(key, entry);
      return entry.token;
    },
    invalidate(key, token) {
      if (entries.get(key)?.value === token) entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
}

/**
 * Calls with the cached token; when the platform says the token is invalid or expired
 * (it can be revoked before its time, or a clock can drift), fetches a fresh one and calls
 * once more. A second refusal is the caller's to classify.
 */
export async function callWithToken<T>(
  cache: TokenCache,
  key: string,
  fetch: () => Promise<FetchedToken>,
  call: (token: string) => Promise<T>,
  tokenRefused: (answer: T) => boolean,
): Promise<T> {
  const token = await cache.get(key, fetch);
  const answer = await call(token);
  if (!tokenRefused(answer)) return answer;
  cache.invalidate(key, token);
  return call(await cache.get(key, fetch));
}

/** What a corp-app call needs of its provider config: the timeout, and the outbound guard's settings for its base URL. */
export interface AppCallSettings extends OutboundSettings {
  timeoutMs?: number | undefined;
}

/**
 * One call to a corp-app API that answers JSON with an `errcode` (DingTalk oapi, WeCom):
 * GET without a body, else POST of JSON. HTTP errors and answers without an errcode throw;
 * the errcode itself is the caller's to read.
 */
export async function requestErrcodeJson<A extends { errcode?: number }>(platform: string, what: string, url: string, body: unknown, config: AppCallSettings): Promise<A> {
  const res = await httpRequest({
    outbound: outboundPolicyOf(config),
    url,
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs: config.timeoutMs,
  });
  if (!isSuccess(res.status)) throw errorForStatus(`${platform} ${what}`, res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
  const answer = parseJson(res.text) as A | undefined;
  if (typeof answer?.errcode !== 'number') throw new DeliveryError(DeliveryErrorType.Unavailable, `${platform} ${what}: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
  return answer;
}
