// APNs provider API over HTTP/2 (developer.apple.com "Sending notification requests to APNs"
// and "Establishing a token-based connection"): POST /3/device/<hex token>, `authorization:
// bearer <ES256 JWT {alg, kid}{iss, iat}>` verified with the team's public key, apns-topic,
// apns-push-type, apns-priority 5|10, apns-expiration; answers 200 + apns-id or {reason}.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createSecureServer, type Http2SecureServer, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './tls.js';

export interface ApnsRequest {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  jwt: string;
}

export interface ApnsServer {
  baseUrl: string;
  requests: ApnsRequest[];
  sessions: number;
  /** Device tokens that answer 410 Unregistered. */
  unregistered: Set<string>;
  /** Replaces the documented behaviour for the next request only. */
  replyOnce(status: number, reason?: string, headers?: Record<string, string>): void;
  /** Makes APNs treat every JWT issued before now as expired. */
  expireTokensIssuedBefore(seconds: number): void;
  close(): Promise<void>;
}

export async function startApns(opts: { tls: TestCertificate; teamId: string; keyId: string; publicKeyPem: string; topic: string }): Promise<ApnsServer> {
  const key: KeyObject = createPublicKey(opts.publicKeyPem);
  const requests: ApnsRequest[] = [];
  const queued: { status: number; reason?: string | undefined; headers?: Record<string, string> | undefined }[] = [];
  const unregistered = new Set<string>();
  let minIat = 0;
  let sessions = 0;
  const server: Http2SecureServer = createSecureServer({ key: opts.tls.key, cert: opts.tls.cert });
  server.on('session', () => (sessions += 1));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const answer = (status: number, reason?: string, extra: Record<string, string> = {}) => {
        stream.respond({ ':status': status, 'apns-id': String(headers['apns-id'] ?? ''), ...extra, ...(reason ? { 'content-type': 'application/json' } : {}) });
        stream.end(reason ? JSON.stringify({ reason, ...(status === 410 ? { timestamp: Date.now() } : {}) }) : undefined);
      };
      const raw = Buffer.concat(chunks).toString('utf8');
      const jwt = /^bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1] ?? '';
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return answer(400, 'PayloadEmpty');
      }
      requests.push({ headers, body, jwt });
      const q = queued.shift();
      if (q) return answer(q.status, q.reason, q.headers);
      if (headers[':method'] !== 'POST') return answer(405, 'MethodNotAllowed');
      const m = /^\/3\/device\/([0-9a-f]+)$/.exec(String(headers[':path']));
      if (!m) return answer(400, 'BadDeviceToken');
      if (!jwt) return answer(403, 'MissingProviderToken');
      const [h = '', p = '', s = ''] = jwt.split('.');
      const head = JSON.parse(Buffer.from(h, 'base64url').toString() || '{}') as { alg?: string; kid?: string };
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString() || '{}') as { iss?: string; iat?: number };
      if (head.alg !== 'ES256' || head.kid !== opts.keyId || claims.iss !== opts.teamId) return answer(403, 'InvalidProviderToken');
      if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return answer(403, 'InvalidProviderToken');
      if (typeof claims.iat !== 'number' || claims.iat < Date.now() / 1000 - 3600 || claims.iat < minIat) return answer(403, 'ExpiredProviderToken');
      if (!headers['apns-topic']) return answer(400, 'MissingTopic');
      if (headers['apns-topic'] !== opts.topic) return answer(400, 'DeviceTokenNotForTopic');
      if (!['alert', 'background', 'voip', 'complication', 'fileprovider', 'mdm', 'location', 'liveactivity'].includes(String(headers['apns-push-type']))) return answer(400, 'InvalidPushType');
      if (!['5', '10', '1'].includes(String(headers['apns-priority'] ?? '10'))) return answer(400, 'BadPriority');
      if (headers['apns-expiration'] !== undefined && !/^\d+$/.test(String(headers['apns-expiration']))) return answer(400, 'BadExpirationDate');
      if (headers['apns-collapse-id'] !== undefined && Buffer.byteLength(String(headers['apns-collapse-id'])) > 64) return answer(400, 'BadCollapseId');
      if (typeof body.aps !== 'object' || body.aps === null) return answer(400, 'PayloadEmpty');
      if (Buffer.byteLength(raw) > 4096) return answer(413, 'PayloadTooLarge');
      if (unregistered.has(m[1] as string)) return answer(410, 'Unregistered');
      return answer(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `https://127.0.0.1:${port}`,
    requests,
    get sessions() {
      return sessions;
    },
    unregistered,
    replyOnce: (status, reason, headers) => queued.push({ status, reason, headers }),
    expireTokensIssuedBefore: (seconds) => (minIat = seconds),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
