// WeCom self-built app messages (developer.work.weixin.qq.com, "get access_token", "send app
// messages", "recall app messages"):
//   GET  /cgi-bin/gettoken?corpid&corpsecret → {errcode:0, access_token, expires_in:7200}
//   POST /cgi-bin/message/send?access_token= {touser, msgtype, agentid, markdown|text:{content}} → {errcode:0, invaliduser, msgid}
//   POST /cgi-bin/message/recall?access_token= {msgid} → {errcode:0}
// Always HTTP 200 with errcode; 40014 an unknown token, 42001 an expired one, 81013 when no
// recipient is a member the app can reach; content ≤ 2048 bytes.
import { randomBytes } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface WecomAppOptions {
  corpId: string;
  corpSecret: string;
  agentId: number;
  /** Members in the app's visible range. */
  members: string[];
}

export interface WecomAppMessage {
  msgid: string;
  touser: string;
  msgtype: string;
  content: string;
  recalled: boolean;
}

export interface WecomAppApi extends Handler {
  messages: WecomAppMessage[];
  recalls: string[];
  /** While set, a recall call is answered only once this settles (a slow provider). */
  recallGate: Promise<void> | undefined;
  tokensIssued: number;
  expireTokens(): void;
}

export function wecomAppApi(opts: WecomAppOptions): WecomAppApi {
  const live = new Set<string>();
  const expired = new Set<string>();
  const api = (async (req) => {
    const url = new URL(req.url, 'http://x');
    const ok = (extra: object) => ({ status: 200, body: { errcode: 0, errmsg: 'ok', ...extra } });
    const err = (errcode: number, errmsg: string) => ({ status: 200, body: { errcode, errmsg: `${errmsg}, hint: [${randomBytes(4).toString('hex')}]` } });
    if (req.method === 'GET' && url.pathname === '/cgi-bin/gettoken') {
      if (url.searchParams.get('corpid') !== opts.corpId) return err(40013, 'invalid corpid');
      if (url.searchParams.get('corpsecret') !== opts.corpSecret) return err(40001, 'invalid credential');
      const token = randomBytes(24).toString('base64url');
      live.add(token);
      api.tokensIssued += 1;
      return ok({ access_token: token, expires_in: 7200 });
    }
    if (req.method !== 'POST') return { status: 404, body: 'not found' };
    const token = url.searchParams.get('access_token') ?? '';
    if (!token) return err(41001, 'access_token missing');
    if (expired.has(token)) return err(42001, 'access_token expired');
    if (!live.has(token)) return err(40014, 'invalid access_token');
    if (!/^application\/json/.test(header(req, 'content-type') ?? '')) return err(47001, 'data format error');
    const body = JSON.parse(req.body) as Record<string, any>;
    if (url.pathname === '/cgi-bin/message/send') {
      if (body.agentid !== opts.agentId) return err(40056, 'invalid agentid');
      const msgtype = body.msgtype as string;
      if (msgtype !== 'markdown' && msgtype !== 'text') return err(40008, 'invalid message type');
      const content = body[msgtype]?.content;
      if (typeof content !== 'string' || !content) return err(44004, 'empty content');
      if (Buffer.byteLength(content) > 2048) return err(45002, 'content size out of limit');
      const users = typeof body.touser === 'string' ? body.touser.split('|') : [];
      const invalid = users.filter((u: string) => !opts.members.includes(u));
      if (invalid.length === users.length) return err(81013, 'user & party & tag all invalid');
      const msgid = randomBytes(30).toString('base64url');
      api.messages.push({ msgid, touser: body.touser as string, msgtype, content, recalled: false });
      return ok({ invaliduser: invalid.join('|'), invalidparty: '', invalidtag: '', unlicenseduser: '', msgid, response_code: randomBytes(8).toString('hex') });
    }
    if (url.pathname === '/cgi-bin/message/recall') {
      if (typeof body.msgid !== 'string') return err(40003, 'invalid msgid');
      await api.recallGate;
      api.recalls.push(body.msgid);
      const m = api.messages.find((x) => x.msgid === body.msgid);
      if (!m) return err(40003, 'invalid msgid');
      m.recalled = true;
      return ok({});
    }
    return err(404, 'invalid url');
  }) as WecomAppApi;
  api.messages = [];
  api.recalls = [];
  api.recallGate = undefined;
  api.tokensIssued = 0;
  api.expireTokens = () => {
    for (const t of live) expired.add(t);
    live.clear();
  };
  return api;
}
