// Feishu Open Platform for a self-built app (open.feishu.cn, "自建应用获取 tenant_access_token",
// "发送消息", "撤回消息"):
//   POST /open-apis/auth/v3/tenant_access_token/internal {app_id, app_secret}
//     → 200 {code:0, msg:"ok", tenant_access_token:"t-…", expire:7200}
//   POST /open-apis/im/v1/messages?receive_id_type=open_id|user_id|union_id
//     Authorization: Bearer t-…, Content-Type: application/json; charset=utf-8
//     {receive_id, msg_type, content (a JSON string), uuid?} → 200 {code:0, msg:"success", data:{message_id:"om_…", …}}
//   DELETE /open-apis/im/v1/messages/{message_id} → 200 {code:0, msg:"success"}
// Failures answer HTTP 400 with the code: 99991661 no Authorization, 99991663 an invalid or
// expired tenant token, 230001 a bad parameter (e.g. "invalid receive_id"), 230013 a user
// outside the app's availability, 230025 content too long; the token endpoint answers 10014
// for a wrong secret. A repeated uuid within the hour returns the first message, not a second.
import { randomBytes } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface FeishuAppOptions {
  appId: string;
  appSecret: string;
  /** open_id → user_id of users in the app's availability range. */
  users: Record<string, string>;
}

export interface FeishuAppMessage {
  messageId: string;
  receiveIdType: string;
  receiveId: string;
  msgType: string;
  /** The parsed `content` (a card for interactive messages). */
  content: any;
  uuid: string | undefined;
  recalled: boolean;
}

export interface FeishuAppApi extends Handler {
  messages: FeishuAppMessage[];
  tokensIssued: number;
  expireTokens(): void;
}

export function feishuAppApi(opts: FeishuAppOptions): FeishuAppApi {
  const live = new Set<string>();
  const expired = new Set<string>();
  const fail = (code: number, msg: string, status = 400) => ({ status, body: { code, msg, error: { log_id: randomBytes(8).toString('hex') } } });
  const api = ((req) => {
    const url = new URL(req.url, 'http://x');
    const json = /^application\/json/.test(header(req, 'content-type') ?? '');
    if (req.method === 'POST' && url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (!json) return fail(9499, 'Bad Request');
      const body = JSON.parse(req.body) as Record<string, unknown>;
      if (body.app_id !== opts.appId) return fail(10003, 'invalid param');
      if (body.app_secret !== opts.appSecret) return fail(10014, 'app secret invalid');
      const token = `t-${randomBytes(20).toString('hex')}`;
      live.add(token);
      api.tokensIssued += 1;
      return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 } };
    }
    const auth = header(req, 'authorization');
    if (!auth) return fail(99991661, 'Missing access token for authorization.');
    const token = /^Bearer (.+)$/.exec(auth)?.[1] ?? '';
    if (!live.has(token) || expired.has(token)) return fail(99991663, 'Invalid access token for authorization. Please make a request with token attached.');
    if (req.method === 'POST' && url.pathname === '/open-apis/im/v1/messages') {
      if (!/^application\/json; charset=utf-8$/i.test(header(req, 'content-type') ?? '')) return fail(9499, 'Bad Request');
      const type = url.searchParams.get('receive_id_type') ?? '';
      if (!['open_id', 'user_id', 'union_id', 'email', 'chat_id'].includes(type)) return fail(99992402, 'field validation failed');
      const body = JSON.parse(req.body) as Record<string, any>;
      if (typeof body.content !== 'string' || typeof body.msg_type !== 'string') return fail(99992402, 'field validation failed');
      if (Buffer.byteLength(req.body) > 30 * 1024) return fail(230025, 'The message content exceeds the limit.');
      const open = type === 'open_id' ? body.receive_id : type === 'user_id' ? Object.keys(opts.users).find((o) => opts.users[o] === body.receive_id) : undefined;
      if (typeof body.receive_id !== 'string' || (type === 'open_id' && !/^ou_/.test(body.receive_id))) return fail(230001, 'Your request contains an invalid request parameter, ext=invalid receive_id.');
      if (!open || !(open in opts.users)) return fail(230013, 'Bot has NO availability to this user.');
      let content: unknown;
      try {
        content = JSON.parse(body.content);
      } catch {
        return fail(230001, 'Your request contains an invalid request parameter, ext=invalid content.');
      }
      const again = body.uuid ? api.messages.find((m) => m.uuid === body.uuid) : undefined;
      const messageId = again?.messageId ?? `om_${randomBytes(16).toString('hex')}`;
      if (!again) api.messages.push({ messageId, receiveIdType: type, receiveId: body.receive_id, msgType: body.msg_type, content, uuid: body.uuid, recalled: false });
      return { status: 200, body: { code: 0, msg: 'success', data: { message_id: messageId, msg_type: body.msg_type, create_time: String(Date.now()), deleted: false, updated: false } } };
    }
    const del = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'DELETE' && del) {
      const m = api.messages.find((x) => x.messageId === decodeURIComponent(del[1]!));
      if (!m) return fail(230001, 'Your request contains an invalid request parameter, ext=invalid message_id.');
      if (m.recalled) return fail(230011, 'The message is recalled.');
      m.recalled = true;
      return { status: 200, body: { code: 0, msg: 'success', data: {} } };
    }
    return { status: 404, body: '404 page not found' };
  }) as FeishuAppApi;
  api.messages = [];
  api.tokensIssued = 0;
  api.expireTokens = () => {
    for (const t of live) expired.add(t);
  };
  return api;
}
