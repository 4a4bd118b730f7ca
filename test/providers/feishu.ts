// Feishu custom bot (open.feishu.cn "custom bot usage guide"): POST /open-apis/bot/v2/hook/<token>
// with timestamp (s) and sign in the body, where sign = base64(HMAC-SHA256 keyed by
// "<timestamp>\n<secret>" over an empty message); answers {code, msg, data}.
import { createHmac } from 'node:crypto';
import type { Handler } from './receiver.js';

export function feishuBot(token: string, secret: string): Handler {
  return (req) => {
    if (req.method !== 'POST' || req.url !== `/open-apis/bot/v2/hook/${token}`) return { status: 404, body: { code: 19001, msg: 'param invalid: incoming webhook access token invalid' } };
    // "The request body must not exceed 20 KB."
    if (Buffer.byteLength(req.body) > 20 * 1024) return { status: 200, body: { code: 9499, msg: 'Bad Request: request body exceeds 20 KB' } };
    const json = JSON.parse(req.body) as { timestamp?: string; sign?: string; msg_type?: string; card?: { elements?: { tag?: string; content?: string }[] } };
    const ts = json.timestamp ?? '';
    if (!/^\d{10}$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 3600) {
      return { status: 200, body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } };
    }
    const expected = createHmac('sha256', Buffer.from(`${ts}\n${secret}`, 'utf8')).digest('base64');
    if (json.sign !== expected) return { status: 200, body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } };
    if (json.msg_type !== 'interactive' || !json.card?.elements?.length) return { status: 200, body: { code: 9499, msg: 'Bad Request' } };
    // A custom bot @-mentions by open_id only: `<at id=ou_…></at>` in a card's markdown.
    for (const e of json.card.elements) {
      for (const tag of (e.content ?? '').match(/<at\b[^>]*>/g) ?? []) {
        if (!/^<at id=(ou_[A-Za-z0-9_]+|all)>$/.test(tag)) return { status: 200, body: { code: 9499, msg: `Bad Request: ${tag} is not <at id=open_id>` } };
      }
    }
    return { status: 200, body: { code: 0, msg: 'success', data: {} } };
  };
}

/** The open_ids a card's markdown elements @-mention. */
export function feishuCardMentions(card: { elements?: { content?: string }[] }): string[] {
  return (card.elements ?? []).flatMap((e) => [...(e.content ?? '').matchAll(/<at id=(ou_[A-Za-z0-9_]+)><\/at>/g)].map((m) => m[1] as string));
}
