// Xiaomi push server API v3 (dev.mi.com, "服务端API地址和参数", "服务端错误码参考"):
//   POST /v3/message/regid  Authorization: key=<AppSecret>, Content-Type: application/x-www-form-urlencoded
//     registration_id, restricted_package_name, title (< 50 characters), description (< 128),
//     pass_through (0: a notification), notify_type, notify_id, time_to_live (ms), payload,
//     extra.notify_effect (1 the app, 3 a web page with extra.web_uri), extra.channel_id
//     → 200 {result:"ok", code:0, data:{id:"scm…"}, description:"成功", trace_id, info}
// Failures: {result:"error", code, reason, description, trace_id}: 21301 authentication failed,
// 22022 an invalid package name, 10017 an invalid parameter, 10027 calls too frequent, and
// "No valid targets!" when no registration id is a device of the app; with several ids, the
// unknown ones come back in data.bad_regids.
import { randomBytes } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface XiaomiOptions {
  appSecret: string;
  packageName: string;
  devices: string[];
}

export interface XiaomiSent {
  id: string;
  regid: string;
  form: Record<string, string>;
}

export interface XiaomiApi extends Handler {
  sent: XiaomiSent[];
}

export function xiaomiPushApi(opts: XiaomiOptions): XiaomiApi {
  const trace = () => `Xcm${randomBytes(10).toString('hex')}`;
  const fail = (code: number, reason: string, description: string) => ({ status: 200, body: { result: 'error', code, reason, description, trace_id: trace() } });
  const api = ((req) => {
    if (req.method !== 'POST' || req.url !== '/v3/message/regid') return { status: 404, body: 'not found' };
    if (header(req, 'authorization') !== `key=${opts.appSecret}`) return fail(21301, 'Authentication failed', '认证失败');
    if (!/^application\/x-www-form-urlencoded/.test(header(req, 'content-type') ?? '')) return fail(10017, 'Invalid content type', '参数值非法');
    const form = Object.fromEntries(new URLSearchParams(req.body));
    if (form.restricted_package_name !== opts.packageName) return fail(22022, 'Invalid package name', '应用程序package name不合法');
    if (!form.registration_id) return fail(10016, 'Missing registration_id', '缺失必选参数');
    if (form.pass_through === '0') {
      if (!form.title?.trim() || [...form.title].length >= 50) return fail(10017, 'Invalid title', '参数值非法');
      if (!form.description?.trim() || [...form.description].length >= 128) return fail(10017, 'Invalid description', '参数值非法');
    }
    if (form['extra.notify_effect'] === '3' && !form['extra.web_uri']) return fail(10017, 'web_uri is required for notify_effect 3', '参数值非法');
    const regids = form.registration_id.split(',');
    const bad = regids.filter((r) => !opts.devices.includes(r));
    if (bad.length === regids.length) return fail(20301, 'No valid targets!', '发送消息失败');
    const id = `scm${randomBytes(12).toString('hex')}`;
    for (const r of regids.filter((x) => !bad.includes(x))) api.sent.push({ id, regid: r, form });
    return { status: 200, body: { result: 'ok', trace_id: trace(), code: 0, data: { id, ...(bad.length ? { bad_regids: bad.join(',') } : {}) }, description: '成功', info: `Received push messages for ${regids.length} REGID` } };
  }) as XiaomiApi;
  api.sent = [];
  return api;
}
