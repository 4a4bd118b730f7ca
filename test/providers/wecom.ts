// WeCom group robot (developer.work.weixin.qq.com/document/path/91770): POST
// /cgi-bin/webhook/send?key=…, markdown.content ≤ 4096 UTF-8 bytes; {errcode, errmsg}.
import type { Handler } from './receiver.js';

export function wecomRobot(key: string): Handler {
  return (req) => {
    const url = new URL(req.url, 'http://x');
    if (req.method !== 'POST' || url.pathname !== '/cgi-bin/webhook/send') return { status: 404, body: 'not found' };
    if (url.searchParams.get('key') !== key) return { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } };
    const json = JSON.parse(req.body) as { msgtype?: string; markdown?: { content?: unknown; mentioned_list?: unknown; mentioned_mobile_list?: unknown } };
    if (json.msgtype !== 'markdown') return { status: 200, body: { errcode: 40008, errmsg: 'invalid message type' } };
    // mentioned_list / mentioned_mobile_list belong to text messages; markdown mentions with <@userid> in its content.
    if (json.markdown?.mentioned_list !== undefined || json.markdown?.mentioned_mobile_list !== undefined) return { status: 200, body: { errcode: 40058, errmsg: 'markdown has no mentioned_list; use <@userid>' } };
    const content = json.markdown?.content;
    if (typeof content !== 'string' || content === '') return { status: 200, body: { errcode: 44004, errmsg: 'empty content' } };
    if (Buffer.byteLength(content) > 4096) return { status: 200, body: { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' } };
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  };
}

/** The members a markdown message @-mentions: the `<@userid>` extension of its content. */
export function wecomMarkdownMentions(content: string): string[] {
  return [...content.matchAll(/<@([^<>\s]+)>/g)].map((m) => m[1] as string);
}
