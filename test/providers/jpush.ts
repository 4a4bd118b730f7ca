// JPush Push API v3 (docs.jiguang.cn, "Push API v3", "HTTP 状态码"):
//   POST /v3/push  Authorization: Basic base64(appKey:masterSecret), Content-Type: application/json
//     {platform: "all" | [...], audience: {registration_id: [...]} | "all" | ..., notification: {alert?, android?: {alert, title?, extras?}, ios?: {alert, sound?, extras?}}, options?: {time_to_live?, apns_production?, apns_collapse_id?}}
//     → 200 {sendno: "0", msg_id: "…"}
// Errors are 4xx/5xx with {error: {code, message}}: 1004 (401) authentication failed, 1003 an
// invalid parameter, 1005 notification over 4000 bytes, 1011 no device for the audience,
// 2002 (429) rate limit with X-Rate-Limit-Limit / -Remaining / -Reset.
import { randomBytes } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface JpushOptions {
  appKey: string;
  masterSecret: string;
  /** Registration ids of devices that still have the app. */
  devices: string[];
}

export interface JpushPush {
  msgId: string;
  registrationId: string;
  notification: any;
  options: any;
}

export interface JpushApi extends Handler {
  pushes: JpushPush[];
}

export function jpushApi(opts: JpushOptions): JpushApi {
  const fail = (status: number, code: number, message: string) => ({ status, body: { error: { code, message }, msg_id: String(Date.now()) } });
  const api = ((req) => {
    if (req.url !== '/v3/push') return { status: 404, body: { error: { code: 404, message: 'not found' } } };
    if (req.method !== 'POST') return { status: 405, body: { error: { code: 1001, message: 'Only support HTTP POST' } } };
    const expected = `Basic ${Buffer.from(`${opts.appKey}:${opts.masterSecret}`).toString('base64')}`;
    if (header(req, 'authorization') !== expected) return fail(401, 1004, 'Authen failed');
    if (!/^application\/json/.test(header(req, 'content-type') ?? '')) return fail(400, 1003, 'Content-Type must be application/json');
    let body: Record<string, any>;
    try {
      body = JSON.parse(req.body) as Record<string, any>;
    } catch {
      return fail(400, 1003, 'Invalid json');
    }
    if (!body.platform || !body.audience || !body.notification) return fail(400, 1002, 'Missing required parameters: platform, audience and notification');
    const ids = body.audience.registration_id;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000) return fail(400, 1003, 'audience.registration_id must be a list of 1 to 1000 ids');
    const n = body.notification;
    if (typeof n.android?.alert !== 'string' || !n.ios?.alert) return fail(400, 1003, 'notification.android.alert and notification.ios.alert are required');
    if (Buffer.byteLength(JSON.stringify(n)) > 4000) return fail(400, 1005, 'Msg content too long');
    const live = ids.filter((id: string) => opts.devices.includes(id));
    if (live.length === 0) return fail(400, 1011, 'cannot find user by this audience or has been inactive for more than 255 days');
    const msgId = String(BigInt(`0x${randomBytes(6).toString('hex')}`));
    for (const id of live) api.pushes.push({ msgId, registrationId: id, notification: n, options: body.options });
    return { status: 200, headers: { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '599', 'x-rate-limit-reset': '60' }, body: { sendno: '0', msg_id: msgId } };
  }) as JpushApi;
  api.pushes = [];
  return api;
}
