// WeChat Official Account API (developers.weixin.qq.com/doc/offiaccount, "获取稳定版接口调用凭据",
// "模板消息接口"):
//   POST /cgi-bin/stable_token {grant_type:"client_credential", appid, secret, force_refresh?}
//     → 200 {access_token, expires_in:7200} (the same token to every caller while it is valid)
//   POST /cgi-bin/message/template/send?access_token= {touser, template_id, url?, data:{key:{value}}, client_msg_id?}
//     → 200 {errcode:0, errmsg:"ok", msgid}
// Always HTTP 200 with errcode on failure: 40013 invalid appid, 40125 invalid appsecret,
// 40001 an invalid or stale access_token, 42001 an expired one, 40003 an openid that is not a
// follower, 43004 a user who unfollowed, 40037 an unknown template_id, 47003 a data value
// invalid for its key (a thing over 20 characters). The same openid + client_msg_id within
// ten minutes sends once.
import { randomBytes } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface WechatMpOptions {
  appId: string;
  appSecret: string;
  templateId: string;
  /** Openids of followers; `unfollowed` ones answer 43004. */
  followers: string[];
  unfollowed?: string[];
}

export interface WechatTemplateSent {
  msgid: number;
  touser: string;
  templateId: string;
  url: string | undefined;
  data: Record<string, { value: string }>;
  clientMsgId: string | undefined;
}

export interface WechatMpApi extends Handler {
  sent: WechatTemplateSent[];
  tokensIssued: number;
  /** Makes the current token stale, as when it expires early. */
  expireTokens(): void;
}

const LIMIT_OF_TYPE: Record<string, number> = { thing: 20, character_string: 32, phrase: 5, number: 32, letter: 32, amount: 32, car_number: 8, name: 10, phone_number: 17 };

export function wechatMpApi(opts: WechatMpOptions): WechatMpApi {
  let current: string | undefined;
  const stale = new Set<string>();
  const err = (errcode: number, errmsg: string) => ({ status: 200, body: { errcode, errmsg: `${errmsg} rid: ${randomBytes(6).toString('hex')}` } });
  const api = ((req) => {
    const url = new URL(req.url, 'http://x');
    if (req.method !== 'POST') return err(43002, 'require POST method');
    if (!/^application\/json/.test(header(req, 'content-type') ?? '')) return err(47001, 'data format error');
    const body = JSON.parse(req.body) as Record<string, any>;
    if (url.pathname === '/cgi-bin/stable_token') {
      if (body.grant_type !== 'client_credential') return err(40002, 'invalid grant_type');
      if (body.appid !== opts.appId) return err(40013, 'invalid appid');
      if (body.secret !== opts.appSecret) return err(40125, 'invalid appsecret');
      if (!current || body.force_refresh === true) {
        current = `${Date.now()}_${randomBytes(30).toString('base64url')}`;
        api.tokensIssued += 1;
      }
      return { status: 200, body: { access_token: current, expires_in: 7200 } };
    }
    const token = url.searchParams.get('access_token') ?? '';
    if (!token) return err(41001, 'access_token missing');
    if (stale.has(token)) return err(42001, 'access_token expired');
    if (token !== current) return err(40001, 'invalid credential, access_token is invalid or not latest');
    if (url.pathname === '/cgi-bin/message/template/send') {
      if (body.template_id !== opts.templateId) return err(40037, 'invalid template_id');
      if (typeof body.touser !== 'string' || !opts.followers.includes(body.touser)) {
        return opts.unfollowed?.includes(body.touser) ? err(43004, 'require subscribe') : err(40003, 'invalid openid');
      }
      if (!body.data || typeof body.data !== 'object') return err(47001, 'data format error');
      for (const [key, item] of Object.entries(body.data as Record<string, { value?: unknown }>)) {
        if (typeof item?.value !== 'string' || !item.value) return err(47003, `argument invalid! data.${key}.value is empty`);
        const type = /^([a-z_]+?)\d+$/.exec(key)?.[1];
        if (type && LIMIT_OF_TYPE[type] !== undefined && [...item.value].length > LIMIT_OF_TYPE[type]!) return err(47003, `argument invalid! data.${key}.value invalid`);
      }
      const again = body.client_msg_id ? api.sent.find((s) => s.touser === body.touser && s.clientMsgId === body.client_msg_id) : undefined;
      if (again) return { status: 200, body: { errcode: 0, errmsg: 'ok', msgid: again.msgid } };
      const msgid = 2_000_000_000 + api.sent.length + 1;
      api.sent.push({ msgid, touser: body.touser, templateId: body.template_id, url: body.url, data: body.data, clientMsgId: body.client_msg_id });
      return { status: 200, body: { errcode: 0, errmsg: 'ok', msgid } };
    }
    return err(404, 'invalid url');
  }) as WechatMpApi;
  api.sent = [];
  api.tokensIssued = 0;
  api.expireTokens = () => {
    if (current) stale.add(current);
    current = undefined;
  };
  return api;
}
