// A Web Push service (RFC 8030) that does what a browser vendor's service and the browser do
// together: checks the VAPID Authorization header (RFC 8292: `vapid t=<ES256 JWT>, k=<key>`,
// aud = endpoint origin, exp ≤ 24 h), then decrypts the aes128gcm body (RFC 8188 framing,
// RFC 8291 key derivation) with the subscription's private key, as the user agent would.
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto';
import { header, type Handler, type ReceivedRequest } from './receiver.js';

export interface TestSubscriber {
  ecdh: ECDH;
  auth: Buffer;
  keys: { p256dh: string; auth: string };
}

export function newSubscriber(): TestSubscriber {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}

export interface DeliveredPush {
  path: string;
  ttl: string | undefined;
  urgency: string | undefined;
  topic: string | undefined;
  jwtClaims: Record<string, unknown>;
  plaintext: string;
}

function publicKeyFromPoint(point: Buffer) {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
}

export function checkVapid(req: ReceivedRequest, origin: string, vapidPublicKey: string): Record<string, unknown> {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+),\s*k=([\w-]+)$/.exec(header(req, 'authorization') ?? '');
  if (!m) throw new Error('Authorization is not `vapid t=…, k=…`');
  const [, jwt, k] = m as unknown as [string, string, string];
  if (k !== vapidPublicKey) throw new Error('k is not the application server key');
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
  if (head.alg !== 'ES256') throw new Error('JWT alg must be ES256');
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKeyFromPoint(Buffer.from(k, 'base64url')), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  if (!ok) throw new Error('JWT signature does not verify');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { aud?: string; exp?: number; sub?: string };
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + 24 * 3600) throw new Error('exp must be within 24 hours');
  if (!claims.sub || !/^(mailto:|https:)/.test(claims.sub)) throw new Error('sub must be mailto: or https:');
  return claims;
}

export function decryptAes128gcm(body: Buffer, sub: TestSubscriber): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20] ?? 0;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error('keyid must be the 65-byte sender public key');
  if (ciphertext.length > rs) throw new Error('expected a single record');
  const ecdhSecret = sub.ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.ecdh.getPublicKey(), asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, sub.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('last record must end with delimiter 0x02');
  return padded.subarray(0, end).toString('utf8');
}

export function pushService(opts: { origin: () => string; vapidPublicKey: string; subscribers: Map<string, TestSubscriber>; delivered: DeliveredPush[] }): Handler {
  let n = 0;
  return (req) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (req.method !== 'POST') return { status: 405 };
    const sub = opts.subscribers.get(path);
    if (!sub) return { status: 410, body: 'subscription expired or unsubscribed' };
    if (header(req, 'content-encoding') !== 'aes128gcm') return { status: 400, body: 'Content-Encoding must be aes128gcm' };
    if (!header(req, 'ttl') || !/^\d+$/.test(header(req, 'ttl') ?? '')) return { status: 400, body: 'TTL header is required' };
    const topic = header(req, 'topic');
    if (topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) return { status: 400, body: 'bad Topic' };
    let jwtClaims: Record<string, unknown>;
    try {
      jwtClaims = checkVapid(req, opts.origin(), opts.vapidPublicKey);
    } catch (err) {
      return { status: 403, body: String(err) };
    }
    let plaintext: string;
    try {
      plaintext = decryptAes128gcm(req.raw, sub);
    } catch (err) {
      return { status: 400, body: `cannot decrypt: ${String(err)}` };
    }
    opts.delivered.push({ path, ttl: header(req, 'ttl'), urgency: header(req, 'urgency'), topic, jwtClaims, plaintext });
    n += 1;
    return { status: 201, headers: { location: `${opts.origin()}/m/${n}` } };
  };
}
