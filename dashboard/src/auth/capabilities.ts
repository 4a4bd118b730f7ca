// What the signed-in key may do. Herald has no "who am I" endpoint, so the dashboard asks
// the API the way any client would find out: a request the scope check answers before
// anything else. Each probe is built so that, when allowed, it fails validation or finds
// nothing — no probe can create or change anything.
import { ApiError, type Http } from '../api/http';
import type { Scope } from '../api/types';

export type Capabilities = Record<Exclude<Scope, 'system'>, boolean>;

/**
 * `true` when the scope check passed (any answer but 403 or "no such route": a route the
 * server lacks cannot confirm a scope); 401 propagates: the key is bad.
 */
async function allowed(http: Http, method: string, path: string, body?: unknown): Promise<boolean> {
  try {
    await http.request(method, path, body === undefined ? {} : { body });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    if (err instanceof ApiError && (err.status === 403 || err.routeMissing)) return false;
    if (err instanceof ApiError) return true;
    throw err;
  }
}

// `-probe-` is not a valid template key or notification id, so an allowed request is refused
// with 400/404 after the scope check.
const PROBE = '-probe-';

export async function probeCapabilities(http: Http): Promise<Capabilities> {
  const read = await allowed(http, 'GET', `/v1/notifications/${PROBE}`);
  const admin = await allowed(http, 'GET', '/v1/api-keys?limit=1');
  if (admin) return { read: true, send: true, manage: true, approve: true, admin: true };
  const [send, manage, approve] = await Promise.all([
    allowed(http, 'POST', '/v1/notifications', {}),
    allowed(http, 'PUT', `/v1/templates/${PROBE}`, {}),
    allowed(http, 'POST', `/v1/notifications/${PROBE}/approve`, {}),
  ]);
  return { read, send, manage, approve, admin };
}

export function scopeList(c: Capabilities): Scope[] {
  return (Object.keys(c) as (keyof Capabilities)[]).filter((k) => c[k]);
}
