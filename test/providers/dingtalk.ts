// DingTalk custom robot (open.dingtalk.com "custom robot access" + "message types"): POST
// /robot/send?access_token=…&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256>. The
// timestamp must be within an hour. Always HTTP 200 with {errcode, errmsg}.
import { createHmac } from 'node:crypto';
import type { Handler } from './receiver.js';

export function dingtalkRobot(accessToken: string, secret: string): Handler {
  return (req) => {
    // URLSearchParams decodes %2B to '+' but a raw '+' to ' ', exactly as the server's decoder does.
    const url = new URL(req.url, 'http://x');
    if (req.method !== 'POST' || url.pathname !== '/robot/send') return { status: 404, body: 'not found' };
    if (url.searchParams.get('access_token') !== accessToken) return { status: 200, body: { errcode: 300001, errmsg: 'token is not exist' } };
    const ts = url.searchParams.get('timestamp') ?? '';
    const sign = url.searchParams.get('sign') ?? '';
    if (!/^\d{13}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > 3_600_000) return { status: 200, body: { errcode: 310000, errmsg: 'invalid timestamp' } };
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${ts}\n${secret}`, 'utf8')).digest('base64');
    if (sign !== expected) return { status: 200, body: { errcode: 310000, errmsg: 'sign not match' } };
    const json = JSON.parse(req.body) as { msgtype?: string; markdown?: { title?: unknown; text?: unknown }; at?: unknown };
    if (json.msgtype !== 'markdown') return { status: 200, body: { errcode: 40035, errmsg: 'missing msgtype' } };
    if (typeof json.markdown?.title !== 'string' || typeof json.markdown.text !== 'string' || !json.markdown.text) {
      return { status: 200, body: { errcode: 40035, errmsg: 'missing markdown.title or markdown.text' } };
    }
    const atProblem = dingtalkAtProblem(json.at, json.markdown.text);
    if (atProblem) return { status: 200, body: { errcode: 40035, errmsg: atProblem } };
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  };
}

/**
 * `at` ("message types": @-mentioning group members): `atUserIds` and `atMobiles` are string
 * arrays, `isAtAll` a boolean; in a markdown message a member is only notified when the text
 * also carries `@<userId or mobile>`, so every one listed must appear there.
 */
export function dingtalkAtProblem(at: unknown, text: string): string | null {
  if (at === undefined) return null;
  const a = at as { atUserIds?: unknown; atMobiles?: unknown; isAtAll?: unknown };
  if (typeof a !== 'object' || a === null) return 'at must be an object';
  for (const field of ['atUserIds', 'atMobiles'] as const) {
    const list = a[field];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && v !== '')) return `at.${field} must be an array of strings`;
    const missing = list.find((v: string) => !text.includes(`@${v}`));
    if (missing) return `at.${field} names ${missing}, but the markdown text has no @${missing}`;
  }
  if (a.isAtAll !== undefined && typeof a.isAtAll !== 'boolean') return 'at.isAtAll must be a boolean';
  return null;
}
