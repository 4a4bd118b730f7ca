// A subscriber endpoint as Herald documents it to integrators: verify X-Herald-Signature
// (v1 = hex HMAC-SHA256 over `${timestamp}.${rawBody}`) and reject stale timestamps.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { header, type Handler, type ReceivedRequest } from './receiver.js';

export function verifyHeraldSignature(req: ReceivedRequest, secret: string, toleranceSeconds = 300): string | undefined {
  const ts = header(req, 'x-herald-timestamp');
  const sig = header(req, 'x-herald-signature');
  if (!ts || !/^\d+$/.test(ts)) return 'missing or malformed X-Herald-Timestamp';
  if (Math.abs(Date.now() / 1000 - Number(ts)) > toleranceSeconds) return 'stale timestamp';
  if (!sig?.startsWith('v1=')) return 'missing v1 signature';
  const want = Buffer.from(createHmac('sha256', secret).update(ts).update('.').update(req.body).digest('hex'));
  const got = Buffer.from(sig.slice(3));
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'signature mismatch';
  return undefined;
}

export function webhookSubscriber(secret: string): Handler {
  return (req) => {
    if (req.method !== 'POST') return { status: 405 };
    if (!header(req, 'content-type')?.startsWith('application/json')) return { status: 415 };
    const problem = verifyHeraldSignature(req, secret);
    if (problem) return { status: 401, body: { error: problem } };
    return { status: 204 };
  };
}
