// Google's OAuth 2.0 token endpoint for service accounts (developers.google.com/identity/protocols/oauth2/service-account:
// JWT-bearer grant, RS256 assertion with iss, scope, aud = token URI, iat, exp ≤ iat + 1 h) and
// the FCM HTTP v1 send endpoint (firebase.google.com/docs/reference/fcm/rest/v1/projects.messages/send),
// with its documented error shape: {error: {code, message, status, details: [FcmError{errorCode}]}}.
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface FcmState {
  tokenRequests: number;
  issued: Set<string>;
  sent: { token: string; message: Record<string, unknown> }[];
}

const fcmError = (code: number, status: string, errorCode: string | undefined, message: string) => ({
  status: code,
  body: { error: { code, message, status, details: errorCode ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] : [] } },
});

export function googleApis(opts: { origin: () => string; clientEmail: string; publicKeyPem: string; projectId: string; unregistered: Set<string>; state: FcmState }): Handler {
  const key: KeyObject = createPublicKey(opts.publicKeyPem);
  return (req) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/token') {
      opts.state.tokenRequests += 1;
      const form = new URLSearchParams(req.body);
      if (header(req, 'content-type') !== 'application/x-www-form-urlencoded' || form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } };
      }
      const [h = '', p = '', s = ''] = (form.get('assertion') ?? '').split('.');
      const head = JSON.parse(Buffer.from(h, 'base64url').toString() || '{}') as { alg?: string };
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString() || '{}') as { iss?: string; scope?: string; aud?: string; iat?: number; exp?: number };
      const now = Date.now() / 1000;
      const valid =
        head.alg === 'RS256' &&
        verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')) &&
        claims.iss === opts.clientEmail &&
        claims.scope?.split(' ').includes('https://www.googleapis.com/auth/firebase.messaging') &&
        claims.aud === `${opts.origin()}/token` &&
        typeof claims.iat === 'number' &&
        Math.abs(claims.iat - now) < 300 &&
        typeof claims.exp === 'number' &&
        claims.exp > now &&
        claims.exp - claims.iat <= 3600;
      if (!valid) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
      const token = `ya29.${randomBytes(12).toString('hex')}`;
      opts.state.issued.add(token);
      return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
    }
    if (path === `/v1/projects/${opts.projectId}/messages:send`) {
      const auth = /^Bearer (.+)$/.exec(header(req, 'authorization') ?? '')?.[1];
      if (!auth || !opts.state.issued.has(auth)) return fcmError(401, 'UNAUTHENTICATED', undefined, 'Request had invalid authentication credentials.');
      const json = JSON.parse(req.body) as { message?: { token?: string; notification?: { title?: string; body?: string }; data?: Record<string, unknown> } };
      const m = json.message;
      if (!m?.token) return fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
      if (m.data && Object.values(m.data).some((v) => typeof v !== 'string')) return fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'data values must be strings');
      if (opts.unregistered.has(m.token)) return fcmError(404, 'NOT_FOUND', 'UNREGISTERED', 'Requested entity was not found.');
      if (!/^[\w:-]{20,}$/.test(m.token)) return fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token');
      opts.state.sent.push({ token: m.token, message: m as Record<string, unknown> });
      return { status: 200, body: { name: `projects/${opts.projectId}/messages/0:${Date.now()}%${randomBytes(4).toString('hex')}` } };
    }
    if (path.startsWith('/v1/projects/')) return fcmError(404, 'NOT_FOUND', undefined, 'Requested entity was not found.');
    return { status: 404, body: 'not found' };
  };
}
