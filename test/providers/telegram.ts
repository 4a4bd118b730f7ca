// Telegram Bot API sendMessage (core.telegram.org/bots/api#sendmessage): POST /bot<token>/sendMessage,
// answers {ok, result} or {ok:false, error_code, description}. Entity parsing is checked the way
// Telegram documents it: HTML allows only its listed tags; MarkdownV2 requires every reserved
// character outside an entity to be escaped.
import type { Handler } from './receiver.js';

const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'span', 'tg-spoiler', 'blockquote']);

export function htmlProblem(text: string): string | undefined {
  const stack: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-z-]+)([^>]*)>|&(?!(amp|lt|gt|quot);)|<(?![a-z/])/g)) {
    if (m[0].startsWith('&')) return 'unsupported entity';
    if (m[0] === '<') return 'unescaped <';
    const [, closing, tag] = m;
    if (!tag || !HTML_TAGS.has(tag)) return `unsupported tag ${tag}`;
    if (closing) {
      if (stack.pop() !== tag) return `unexpected end tag ${tag}`;
    } else stack.push(tag);
  }
  return stack.length ? 'unclosed tag' : undefined;
}

export function markdownV2Problem(text: string): string | undefined {
  // Drop escaped pairs, then code spans, then link/entity syntax; whatever reserved character remains was not escaped.
  const rest = text
    .replace(/\\[\s\S]/g, '')
    .replace(/```[\s\S]*?```|`[^`]*`/g, '')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/[*_[\]~|]/g, '');
  const bad = /[>#+\-=|{}.!()]/.exec(rest);
  return bad ? `Character '${bad[0]}' is reserved and must be escaped with the preceding '\\'` : undefined;
}

export function telegramBotApi(token: string): Handler {
  let messageId = 100;
  return (req) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path !== `/bot${token}/sendMessage`) return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    const json = JSON.parse(req.body) as { chat_id?: string | number; text?: string; parse_mode?: string };
    if (json.chat_id === undefined || json.chat_id === '') return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' } };
    if (json.chat_id === 'missing') return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } };
    if (json.chat_id === 'blocked') return { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } };
    if (!json.text) return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
    const problem = json.parse_mode === 'HTML' ? htmlProblem(json.text) : json.parse_mode === 'MarkdownV2' ? markdownV2Problem(json.text) : undefined;
    if (problem) return { status: 400, body: { ok: false, error_code: 400, description: `Bad Request: can't parse entities: ${problem}` } };
    messageId += 1;
    return { status: 200, body: { ok: true, result: { message_id: messageId, chat: { id: json.chat_id }, date: Math.floor(Date.now() / 1000), text: json.text } } };
  };
}
