// Email open and click tracking: a signed open-pixel URL per message, and every http(s)
// link of the html rewritten to a signed redirect. A token carries the delivery id (and the
// original URL for a click) under an HMAC, so Herald redirects only to URLs it wrote into
// its own mail: a forged or edited token is refused, never followed (no open redirect).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type TrackingKind = 'open' | 'click';

export interface OpenSubject {
  kind: 'open';
  deliveryId: string;
}
export interface ClickSubject {
  kind: 'click';
  deliveryId: string;
  url: string;
}
export type TrackingSubject = OpenSubject | ClickSubject;

const PREFIX: Record<TrackingKind, string> = { open: 'o1', click: 'c1' };
export const MAX_TRACKED_URL_LENGTH = 2000;
export const MAX_TOKEN_LENGTH = 4000;

/**
 * A key of its own, derived from the signing key, so a tracking token can never stand in for
 * an unsubscribe token (or anything else signed with the same configured key).
 */
function subKey(signingKey: string): Buffer {
  return createHmac('sha256', signingKey).update('herald/tracking-links/v1').digest();
}

function mac(signingKey: string, prefix: string, payload: string): Buffer {
  return createHmac('sha256', subKey(signingKey)).update(`${prefix}.${payload}`).digest();
}

function isHttpUrl(s: string): boolean {
  if (s.length > MAX_TRACKED_URL_LENGTH) return false;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function signTrackingToken(signingKey: string, s: TrackingSubject): string {
  const prefix = PREFIX[s.kind];
  const fields = s.kind === 'open' ? [s.deliveryId] : [s.deliveryId, s.url];
  const payload = Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
  return `${prefix}.${payload}.${mac(signingKey, prefix, payload).toString('base64url')}`;
}

/** The subject of a valid token of that kind, or undefined for anything else (never throws on input). */
export function verifyTrackingToken(signingKey: string, kind: 'open', token: string): OpenSubject | undefined;
export function verifyTrackingToken(signingKey: string, kind: 'click', token: string): ClickSubject | undefined;
export function verifyTrackingToken(signingKey: string, kind: TrackingKind, token: string): TrackingSubject | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const [prefix, payload, sig, ...rest] = token.split('.');
  if (prefix !== PREFIX[kind] || !payload || !sig || rest.length > 0) return undefined;
  const expected = mac(signingKey, prefix, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const fields: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string' && f.length > 0)) return undefined;
    if (kind === 'open' && fields.length === 1) return { kind, deliveryId: fields[0] as string };
    // Checked again although signed: a token is only ever followed to http(s).
    if (kind === 'click' && fields.length === 2 && isHttpUrl(fields[1] as string)) return { kind, deliveryId: fields[0] as string, url: fields[1] as string };
    return undefined;
  } catch {
    return undefined;
  }
}

/** Short, stable id of a link within a message: clicks are counted once per message per link. */
export function linkId(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 16);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** What a browser would read from an html attribute value (the renderer escapes `&`, `=`, quotes…). */
export function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, ref: string) => {
    const lower = ref.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return NAMED[lower] ?? all;
  });
}

export interface TrackingOptions {
  publicUrl: string;
  signingKey: string;
  deliveryId: string;
}

const ANCHOR_HREF = /(<a\b[^>]*?\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;

/**
 * The html of one message with its links pointing at Herald's click redirect and an open
 * pixel at the end of the body. Links that must keep working as they are stay untouched:
 * non-http(s) (mailto:, tel:, anchors) and Herald's own URLs (the unsubscribe link, which a
 * redirect in front of would make look like a tracker to mail filters).
 */
export function addEmailTracking(html: string, o: TrackingOptions): string {
  const base = o.publicUrl.replace(/\/$/, '');
  const rewritten = html.replace(ANCHOR_HREF, (all, head: string, dq: string | undefined, sq: string | undefined) => {
    const url = decodeAttribute((dq ?? sq ?? '').trim());
    if (!isHttpUrl(url) || url.startsWith(`${base}/`)) return all;
    return `${head}"${base}/t/c/${signTrackingToken(o.signingKey, { kind: 'click', deliveryId: o.deliveryId, url })}"`;
  });
  const pixel = `<img src="${base}/t/o/${signTrackingToken(o.signingKey, { kind: 'open', deliveryId: o.deliveryId })}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  const close = rewritten.search(/<\/body\s*>/i);
  return close >= 0 ? `${rewritten.slice(0, close)}${pixel}${rewritten.slice(close)}` : `${rewritten}${pixel}`;
}

/** The smallest transparent GIF (1×1), answered for every valid open pixel. */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
