// AWS Signature Version 4 as the AWS documentation describes it ("Create a signed AWS API
// request": canonical request → string to sign → signing key → signature), written out here
// with node:crypto so the SDK's signing is checked against the documented algorithm, not
// against itself. The SES and SNS stand-ins verify every request with it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { header, type ReceivedRequest } from './receiver.js';

export interface SigV4Expectation {
  /** accessKeyId → secretAccessKey of the credentials the server knows. */
  secrets: Record<string, string>;
  region: string;
  /** The signing name: `ses` for SES v2, `sns` for SNS. */
  service: string;
  /** The time to check x-amz-date against (±15 minutes, as AWS allows); null skips that check (documentation vectors). */
  now?: Date | null;
  /** Headers that must be among the signed ones. */
  mustSign?: string[];
}

export interface SigV4Verdict {
  ok: boolean;
  /** Why not, in the words of AWS's own error codes. */
  code?: 'IncompleteSignature' | 'InvalidClientTokenId' | 'SignatureDoesNotMatch' | 'RequestExpired';
  reason?: string;
  accessKeyId?: string;
  canonicalRequest?: string;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 percent-encoding: everything but unreserved characters, uppercase hex. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(path: string): string {
  // Services other than S3 encode each (already encoded) path segment once more.
  const out = path
    .split('/')
    .map((seg) => uriEncode(seg))
    .join('/');
  return out === '' ? '/' : out;
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      const k = decodeURIComponent((i < 0 ? p : p.slice(0, i)).replace(/\+/g, '%20'));
      const v = i < 0 ? '' : decodeURIComponent(p.slice(i + 1).replace(/\+/g, '%20'));
      return [uriEncode(k), uriEncode(v)] as const;
    });
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/;

export function verifySigV4(req: Pick<ReceivedRequest, 'method' | 'url' | 'headers' | 'raw'>, want: SigV4Expectation): SigV4Verdict {
  const auth = header(req as ReceivedRequest, 'authorization') ?? '';
  const m = AUTH.exec(auth);
  if (!m) return { ok: false, code: 'IncompleteSignature', reason: `malformed Authorization: ${auth.slice(0, 80)}` };
  const [, accessKeyId = '', date = '', region, service, signedHeaderList = '', signature = ''] = m;
  const secret = want.secrets[accessKeyId];
  if (secret === undefined) return { ok: false, code: 'InvalidClientTokenId', reason: `unknown access key ${accessKeyId}` };
  if (region !== want.region || service !== want.service) return { ok: false, code: 'SignatureDoesNotMatch', reason: `scope ${region}/${service}, expected ${want.region}/${want.service}` };
  const amzDate = header(req as ReceivedRequest, 'x-amz-date') ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return { ok: false, code: 'IncompleteSignature', reason: `x-amz-date ${amzDate} does not match the credential date ${date}` };
  if (want.now !== null) {
    const at = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
    if (Math.abs((want.now ?? new Date()).getTime() - at) > 15 * 60_000) return { ok: false, code: 'RequestExpired', reason: `x-amz-date ${amzDate} is more than 15 minutes away` };
  }
  const signed = signedHeaderList.split(';');
  if ([...signed].sort().join(';') !== signedHeaderList) return { ok: false, code: 'IncompleteSignature', reason: 'SignedHeaders not sorted' };
  for (const h of ['host', 'x-amz-date', ...(want.mustSign ?? [])]) {
    if (!signed.includes(h)) return { ok: false, code: 'IncompleteSignature', reason: `${h} is not signed` };
  }
  const canonicalHeaders = signed
    .map((h) => {
      const v = header(req as ReceivedRequest, h);
      if (v === undefined) return undefined;
      return `${h}:${v.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  if (signed.some((h) => header(req as ReceivedRequest, h) === undefined)) return { ok: false, code: 'IncompleteSignature', reason: 'a signed header is missing' };
  const bodyHash = sha256Hex(req.raw);
  const declared = header(req as ReceivedRequest, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== bodyHash) return { ok: false, code: 'SignatureDoesNotMatch', reason: 'x-amz-content-sha256 is not the body hash' };
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const canonicalRequest = [req.method, canonicalUri(path), canonicalQuery(query), canonicalHeaders, signedHeaderList, bodyHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const expected = createHmac('sha256', signingKey(secret, date, want.region, want.service)).update(stringToSign, 'utf8').digest('hex');
  const ok = timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  return ok ? { ok, accessKeyId, canonicalRequest } : { ok, code: 'SignatureDoesNotMatch', reason: 'signature mismatch', accessKeyId, canonicalRequest };
}
