// What the signed-in key may do, from GET /v1/me (the tenant and scopes of the calling key).
// /v1/me itself needs the `read` scope, so a key without it (a send-only key, say) is
// answered 403; only then does the dashboard fall back to asking the way any client would:
// requests the scope check answers before anything else, each built so that, when allowed,
// it fails validation or finds nothing — no probe can create or change anything.
import { ApiError, type Http } from '../api/http';
import type { Me, Scope } from '../api/types';

// `system` is Herald's own and `scim` an identity provider's (it reaches /scim/v2 only): no dashboard page depends on either.
export type Capabilities = Record<Exclude<Scope, 'system' | 'scim'>, boolean>;

/** The capabilities a list of granted scopes gives; `admin` implies every other scope but `system`. */
export function capabilitiesOf(scopes: readonly Scope[]): Capabilities {
  const has = (s: Scope) => scopes.includes(s) || scopes.includes('admin');
  return { read: has('read'), send: has('send'), manage: has('manage'), approve: has('approve'), admin: has('admin') };
}

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

/** For a key without `read` (so neither `admin`): which of the other scopes it has. */
async function probeWithoutRead(http: Http): Promise<Capabilities> {
  const [send, manage, approve] = await Promise.all([
    allowed(http, 'POST', '/v1/notifications', {}),
    allowed(http, 'PUT', `/v1/templates/${PROBE}`, {}),
    allowed(http, 'POST', `/v1/notifications/${PROBE}/approve`, {}),
  ]);
  return { read: false, send, manage, approve, admin: false };
}

/** Asks GET /v1/me; 401 propagates (the key is bad). */
export async function loadCapabilities(http: Http): Promise<Capabilities> {
  try {
    const me = await http.request<Me>('GET', '/v1/me');
    return capabilitiesOf(me.scopes);
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return probeWithoutRead(http);
    throw err;
  }
}

export function scopeList(c: Capabilities): Scope[] {
  return (Object.keys(c) as (keyof Capabilities)[]).filter((k) => c[k]);
}
