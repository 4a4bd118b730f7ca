// WeCom group robot (developer.work.weixin.qq.com/document/path/91770): POST
// /cgi-bin/webhook/send?key=…, markdown.content ≤ 4096 UTF-8 bytes; {errcode, errmsg}.
import type { Handler } from './receiver.js';

export function wecomRobot(key: string): Handler {
  return (req) => {
    const url = new URL(req.url, 'http://x');
    if (req.method !== 'POST' || url.pathname !== '/cgi-bin/webhook/send') return { status: 404, body: 'not found' };
    if (url.searchParams.get('key') !== key) return { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } };
    const json = JSON.parse(req.body) as { msgtype?: string; markdown?: { content?: unknown } };
    if (json.msgtype !== 'markdown') return { status: 200, body: { errcode: 40008, errmsg: 'invalid message type' } };
    const content = json.markdown?.content;
    if (typeof content !== 'string' || content === '') return { status: 200, body: { errcode: 44004, errmsg: 'empty content' } };
    if (Buffer.byteLength(content) > 4096) return { status: 200, body: { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' } };
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  };
}
