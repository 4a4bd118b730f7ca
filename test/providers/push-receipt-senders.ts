// The provider side of the push receipt callbacks, built as each provider documents them:
//   WeChat (公众号 消息推送, "模板消息 事件推送"): POST <server URL>?signature=&timestamp=&nonce=&openid=
//     Content-Type: text/xml, `<xml>…<MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event>
//     <MsgID/><Status/></xml>`; signature = sha1(sort([Token, timestamp, nonce]).join('')) hex;
//     the URL check is a GET with the same signature and `echostr`. Expects "success".
//   Huawei Push Kit ("消息回执"): POST <receipt URL>, Content-Type: application/json,
//     `{statuses: [...]}`; with a callback user name and key, `X-HUAWEI-CALLBACK-ID:
//     timestamp=<ms>; nonce=<uuid>; value=<base64 HMAC-SHA256(key, timestamp + nonce + user name)>`.
//     Expects `{errno, errmsg}`.
//   Xiaomi push ("消息回执"): POST <extra.callback>, form-encoded, `data` = JSON keyed by msgId,
//     each `{param, type, targets, jobkey, barStatus, timestamp}`.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

export function wechatSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}

export function wechatSignedUrl(url: string, token: string, extra: Record<string, string> = {}): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  return `${url}?${new URLSearchParams({ signature: wechatSignature(token, timestamp, nonce), timestamp, nonce, ...extra })}`;
}

export function templateSendJobFinish(o: { account: string; openid: string; msgId: number | string; status: string }): string {
  return `<xml><ToUserName><![CDATA[${o.account}]]></ToUserName><FromUserName><![CDATA[${o.openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>${o.msgId}</MsgID><Status><![CDATA[${o.status}]]></Status></xml>`;
}

export function postWechatEvent(url: string, token: string, xml: string, openid: string): Promise<Response> {
  return fetch(wechatSignedUrl(url, token, { openid }), { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
}

export function huaweiCallbackId(userName: string, key: string): string {
  const timestamp = String(Date.now());
  const nonce = randomUUID();
  const value = createHmac('sha256', key).update(`${timestamp}${nonce}${userName}`).digest('base64');
  return `timestamp=${timestamp}; nonce=${nonce}; value=${value}`;
}

export function postHuaweiReceipts(url: string, statuses: object[], auth?: { userName: string; key: string }): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers['x-huawei-callback-id'] = huaweiCallbackId(auth.userName, auth.key);
  return fetch(url, { method: 'POST', headers, body: JSON.stringify({ statuses }) });
}

export function postXiaomiReceipts(url: string, byMsgId: Record<string, { type: number; targets: string[]; param?: string }>): Promise<Response> {
  const data = Object.fromEntries(
    Object.entries(byMsgId).map(([id, r]) => [id, { param: r.param ?? '', type: r.type, targets: r.targets.join(','), jobkey: '', barStatus: 'Enable', timestamp: Date.now() }]),
  );
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ data: JSON.stringify(data) }).toString() });
}
