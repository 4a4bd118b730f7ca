// Huawei Push Kit server API (developer.huawei.com, "Push Kit: Sending Downlink Messages",
// "OAuth 2.0-based Authentication: Client Credentials"):
//   POST /oauth2/v3/token  Content-Type: application/x-www-form-urlencoded
//     grant_type=client_credentials&client_id=<appId>&client_secret=<appSecret>
//     → 200 {access_token, expires_in:3600, token_type:"Bearer"}; 400/401 {error:1101, error_description}
//   POST /v1/{appId}/messages:send  Authorization: Bearer <token>, Content-Type: application/json
//     {validate_only, message: {android: {ttl?, notification: {title, body, click_action: {type}, tag?}}, data?, token: [...]}}
//     → 200 {code:"80000000", msg:"Success", requestId}
// 80100000 partial success with msg {"success":n,"failure":m,"illegal_tokens":[...]}, 80300007
// every token invalid, 80300008 body over 4096 bytes, 80200003 (401) the OAuth token expired,
// 80200001 (401) OAuth authentication failed, 81000001 (500) an internal error.
import { randomBytes } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface HuaweiOptions {
  appId: string;
  appSecret: string;
  /** Tokens of devices that still have the app. */
  devices: string[];
}

export interface HuaweiSent {
  requestId: string;
  token: string;
  android: any;
  data: string | undefined;
}

export interface HuaweiApi extends Handler {
  sent: HuaweiSent[];
  tokensIssued: number;
  expireTokens(): void;
}

export function huaweiPushApi(opts: HuaweiOptions): HuaweiApi {
  const live = new Set<string>();
  const expired = new Set<string>();
  const push = (status: number, code: string, msg: string) => ({ status, body: { code, msg, requestId: `${Date.now()}${randomBytes(4).toString('hex')}` } });
  const api = ((req) => {
    if (req.method !== 'POST') return { status: 405, body: '' };
    if (req.url === '/oauth2/v3/token') {
      if (header(req, 'content-type') !== 'application/x-www-form-urlencoded') return { status: 400, body: { error: 1102, error_description: 'missing required param' } };
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 1102, error_description: 'unsupported grant_type' } };
      if (form.get('client_id') !== opts.appId || form.get('client_secret') !== opts.appSecret) return { status: 401, body: { error: 1101, error_description: 'invalid client', sub_error: 20001 } };
      const token = `DQEAA${randomBytes(24).toString('base64')}`;
      live.add(token);
      api.tokensIssued += 1;
      return { status: 200, body: { access_token: token, expires_in: 3600, token_type: 'Bearer' } };
    }
    if (req.url !== `/v1/${opts.appId}/messages:send`) return { status: 404, body: 'not found' };
    const bearer = /^Bearer (.+)$/.exec(header(req, 'authorization') ?? '')?.[1] ?? '';
    if (expired.has(bearer)) return push(401, '80200003', 'OAuth token expired');
    if (!live.has(bearer)) return push(401, '80200001', 'Oauth authentication error');
    if (!/^application\/json/.test(header(req, 'content-type') ?? '')) return push(400, '80100001', 'Some request parameters are incorrect');
    const body = JSON.parse(req.body) as { validate_only?: boolean; message?: Record<string, any> };
    const message = body.message;
    if (!message || !Array.isArray(message.token) || message.token.length === 0) return push(400, '80100003', 'Incorrect message structure');
    if (Buffer.byteLength(JSON.stringify(message)) > 4096) return push(400, '80300008', 'The message body size exceeds the default value');
    const n = message.android?.notification;
    if (!n?.title || typeof n.body !== 'string' || typeof n.click_action?.type !== 'number') return push(400, '80100001', 'Some request parameters are incorrect');
    if (n.click_action.type === 2 && !n.click_action.url) return push(400, '80100001', 'click_action.url is required for type 2');
    const tokens = message.token as string[];
    const illegal = tokens.filter((t) => !opts.devices.includes(t));
    if (illegal.length === tokens.length) return push(400, '80300007', 'All the tokens are invalid');
    const reply = illegal.length > 0 ? push(200, '80100000', JSON.stringify({ success: tokens.length - illegal.length, failure: illegal.length, illegal_tokens: illegal })) : push(200, '80000000', 'Success');
    for (const t of tokens.filter((x) => !illegal.includes(x))) api.sent.push({ requestId: reply.body.requestId, token: t, android: message.android, data: message.data });
    return reply;
  }) as HuaweiApi;
  api.sent = [];
  api.tokensIssued = 0;
  api.expireTokens = () => {
    for (const t of live) expired.add(t);
  };
  return api;
}
