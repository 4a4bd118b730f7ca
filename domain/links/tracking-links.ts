// Email open and click tracking: a signed open-pixel URL per message, and every http(s)
// link of the html rewritten to a signed redirect. A token carries the delivery id (and the
// original URL for a click) and its expiry under an HMAC, so Herald redirects only to URLs
// it wrote into its own mail, and only for a while: a forged, edited or expired token is
// refused, never followed (no open redirect, and no redirect through a link whose target
// domain may have changed hands years later).
import { createHash, createHmac } from 'node:crypto';
import { checkOf, DEFAULT_TOKEN_SETTINGS, expiryOf, openToken, signToken, type TokenCheck } from '../../common/signed-token.js';

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

const PREFIX: Record<TrackingKind, string> = { open: 'o2', click: 'c2' };
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

export interface MintOptions {
  ttlSeconds?: number | undefined;
  now?: number | undefined;
}

export function signTrackingToken(signingKey: string, s: TrackingSubject, o: MintOptions = {}): string {
  const fields = s.kind === 'open' ? [s.deliveryId] : [s.deliveryId, s.url];
  return signToken(mac, signingKey, PREFIX[s.kind], fields, expiryOf(o.ttlSeconds ?? DEFAULT_TOKEN_SETTINGS.trackingTtlSeconds, o.now));
}

export interface CheckOptions {
  /** Keys no longer signing but still accepted (rotation). */
  previousKeys?: readonly string[] | undefined;
  now?: number | undefined;
}

/** Valid, expired (authentic but too old) or invalid (anything else); never throws on input. */
export function checkTrackingToken(signingKey: string, kind: 'open', token: string, o?: CheckOptions): TokenCheck<OpenSubject>;
export function checkTrackingToken(signingKey: string, kind: 'click', token: string, o?: CheckOptions): TokenCheck<ClickSubject>;
export function checkTrackingToken(signingKey: string, kind: TrackingKind, token: string, o: CheckOptions = {}): TokenCheck<TrackingSubject> {
  const opened = openToken(token, {
    mac,
    prefix: PREFIX[kind],
    keys: [signingKey, ...(o.previousKeys ?? [])],
    maxLength: MAX_TOKEN_LENGTH,
    now: o.now,
  });
  return checkOf<TrackingSubject>(opened, (f) => {
    if (!f.every((x) => x.length > 0)) return undefined;
    if (kind === 'open' && f.length === 1) return { kind, deliveryId: f[0] as string };
    // Checked again although signed: a token is only ever followed to http(s).
    if (kind === 'click' && f.length === 2 && isHttpUrl(f[1] as string)) return { kind, deliveryId: f[0] as string, url: f[1] as string };
    return undefined;
  });
}

/** The subject of a valid, unexpired token of that kind, or undefined for anything else. */
export function verifyTrackingToken(signingKey: string, kind: 'open', token: string, o?: CheckOptions): OpenSubject | undefined;
export function verifyTrackingToken(signingKey: string, kind: 'click', token: string, o?: CheckOptions): ClickSubject | undefined;
export function verifyTrackingToken(signingKey: string, kind: TrackingKind, token: string, o: CheckOptions = {}): TrackingSubject | undefined {
  const c = kind === 'open' ? checkTrackingToken(signingKey, kind, token, o) : checkTrackingToken(signingKey, kind, token, o);
  return c.status === 'valid' ? c.subject : undefined;
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
  /** Lifetime of the links, in seconds (default DEFAULT_TOKEN_SETTINGS.trackingTtlSeconds). */
  ttlSeconds?: number | undefined;
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
  // One expiry for every link of the message.
  const mint: MintOptions = { ttlSeconds: o.ttlSeconds, now: Date.now() };
  const rewritten = html.replace(ANCHOR_HREF, (all, head: string, dq: string | undefined, sq: string | undefined) => {
    const url = decodeAttribute((dq ?? sq ?? '').trim());
    if (!isHttpUrl(url) || url.startsWith(`${base}/`)) return all;
    return `${head}"${base}/t/c/${signTrackingToken(o.signingKey, { kind: 'click', deliveryId: o.deliveryId, url }, mint)}"`;
  });
  const pixel = `<img src="${base}/t/o/${signTrackingToken(o.signingKey, { kind: 'open', deliveryId: o.deliveryId }, mint)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  const close = rewritten.search(/<\/body\s*>/i);
  return close >= 0 ? `${rewritten.slice(0, close)}${pixel}${rewritten.slice(close)}` : `${rewritten}${pixel}`;
}

/** The smallest transparent GIF (1×1), answered for every valid open pixel. */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
