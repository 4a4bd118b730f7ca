// WeChat Official Account server messages (消息推送): WeChat posts each event to the URL set in
// the account's server configuration (服务器配置) as XML, with `signature`, `timestamp` and
// `nonce` in the query; the signature is the SHA-1 hex of the three strings token, timestamp,
// nonce sorted and joined, where token is the Token set there. Setting the URL is a GET with
// the same signature and an `echostr` to echo back. Herald reads one event:
// TEMPLATESENDJOBFINISH, the outcome of a template message, named by the MsgID that
// message/template/send answered; its Status is `success`, `failed:user block` (the user
// refuses the account's messages) or `failed: system failed`. Plaintext mode only: an
// encrypted (安全模式) message carries no readable fields.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { secret } from './config-schema.js';

export const wechatServerToken = secret(
  z.string().regex(/^[A-Za-z0-9]{3,32}$/, '3–32 letters or digits'),
  'The Token of the account’s server configuration (服务器配置): WeChat signs each event with it. Needed for template message receipts.',
).optional();

export interface WechatSignedQuery {
  signature: string;
  timestamp: string;
  nonce: string;
}

/** Whether the query's signature is WeChat's for this token (constant time). */
export function wechatSignatureMatches(token: string | undefined, q: WechatSignedQuery): boolean {
  if (!token) return false;
  const expected = createHash('sha1').update([token, q.timestamp, q.nonce].sort().join(''), 'utf8').digest();
  const given = Buffer.from(q.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(expected, given);
}

/**
 * The fields of a flat WeChat message (`<xml><Name><![CDATA[value]]></Name>…</xml>`); WeChat's
 * event XML has no attributes and, for the events read here, no nesting.
 */
export function flatXmlFields(xml: string): Record<string, string> | undefined {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<xml>([\s\S]*)<\/xml>\s*$/.exec(xml);
  if (!root) return undefined;
  const fields: Record<string, string> = {};
  for (const m of (root[1] ?? '').matchAll(/<([A-Za-z][A-Za-z0-9_]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) {
    const name = m[1] as string;
    fields[name] = m[2] ?? m[3]?.trim() ?? '';
  }
  return fields;
}

export type WechatTemplateOutcome = { msgId: string; delivered: true } | { msgId: string; delivered: false; code: 'user_block' | 'system_failed' | string; reason: string };

/** A TEMPLATESENDJOBFINISH event's outcome; undefined for every other event or message; a problem for what is not WeChat XML. */
export function readTemplateSendJobFinish(xml: string): WechatTemplateOutcome | undefined | { problem: string } {
  const f = flatXmlFields(xml);
  if (!f) return { problem: 'the body is not a WeChat XML message (<xml>…</xml>)' };
  if (f.Encrypt !== undefined && f.MsgType === undefined) return { problem: 'the message is encrypted (安全模式): set the account’s message encryption to plaintext or compatible mode' };
  if (f.MsgType !== 'event' || f.Event !== 'TEMPLATESENDJOBFINISH') return undefined;
  const msgId = f.MsgID ?? f.MsgId;
  if (!msgId || !/^\d{1,30}$/.test(msgId)) return { problem: 'TEMPLATESENDJOBFINISH without a numeric MsgID' };
  const status = (f.Status ?? '').trim();
  if (status === 'success') return { msgId, delivered: true };
  if (/^failed:\s*user block$/.test(status)) return { msgId, delivered: false, code: 'user_block', reason: 'wechat-template reported failed:user block (the user refuses messages from the account)' };
  if (/^failed:\s*system failed$/.test(status)) return { msgId, delivered: false, code: 'system_failed', reason: 'wechat-template reported failed: system failed' };
  return { problem: `TEMPLATESENDJOBFINISH with an unknown Status ${JSON.stringify(status.slice(0, 60))}` };
}
