// Huawei Push Kit message receipts (消息回执): Push Kit posts `{statuses: [...]}` (at most 100)
// to the receipt URL set in AppGallery Connect. V1 statuses carry `{token, biTag, status,
// timestamp, appid, requestId}`, V2 `{token, pushType, appPackageName, biTag, requestId,
// deliveryStatus: {result, timestamp}}`; requestId is the one messages:send answered. When
// the receipt configuration has a callback user name and key, the `X-HUAWEI-CALLBACK-ID`
// header is `timestamp=…; nonce=…; value=…`, value the Base64 HMAC-SHA256, keyed by the
// callback key, of timestamp + nonce + user name. The answer Push Kit expects is
// `{errno, errmsg}`. Status 0 is delivered; 2 (app uninstalled) and 5 (the token is not the
// device's) mean the token is gone; 6 (notifications turned off), 10 (inactive device) and
// 102 (the device's daily limit) end the message undelivered; the rest (cached, held, replaced
// offline) are recorded without ending anything.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { secret } from './config-schema.js';
import type { PushReceipt, PushReceiptBatch } from './push-receipts.js';

export const huaweiReceiptFields = {
  receiptUserName: z.string().min(1).max(64).optional().meta({ description: 'The callback user name of the Push Kit receipt configuration (with `receiptKey`: each receipt’s X-HUAWEI-CALLBACK-ID is verified).' }),
  receiptKey: secret(z.string().min(8).max(128), 'The callback key of the Push Kit receipt configuration: receipts whose X-HUAWEI-CALLBACK-ID does not verify with it are refused.').optional(),
};

export const HUAWEI_RECEIPT_ACK = { errno: '0', errmsg: 'success' };

/** Whether the header is Push Kit's for this user name and key (constant time). */
export function huaweiCallbackIdMatches(header: string | undefined, userName: string, key: string): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(
    header
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const at = p.indexOf('=');
        return at < 0 ? [p, ''] : [p.slice(0, at), p.slice(at + 1)];
      }),
  ) as Record<string, string | undefined>;
  if (!parts.timestamp || !parts.nonce || !parts.value) return false;
  const expected = createHmac('sha256', key).update(`${parts.timestamp}${parts.nonce}${userName}`, 'utf8').digest();
  const given = Buffer.from(parts.value, 'base64');
  return given.length === expected.length && timingSafeEqual(expected, given);
}

const GONE = new Set([2, 5]);
const UNDELIVERED = new Set([6, 10, 102]);
const WORDS: Record<number, string> = {
  0: 'delivered',
  2: 'the app is not installed',
  5: 'the token does not belong to the device’s user',
  6: 'notifications are turned off',
  10: 'the device is inactive',
  102: 'the device’s daily message limit was reached',
};

const Status = z.looseObject({
  token: z.string().min(1).max(512),
  requestId: z.string().min(1).max(128),
  status: z.number().int().optional(),
  deliveryStatus: z.looseObject({ result: z.number().int() }).optional(),
});
const Body = z.looseObject({ statuses: z.array(Status).min(1).max(1000) });

function receiptOf(s: z.infer<typeof Status>): PushReceipt | undefined {
  const code = s.status ?? s.deliveryStatus?.result;
  if (code === undefined) return undefined;
  const reason = `huawei-push receipt ${code}: ${WORDS[code] ?? 'not delivered yet'}`;
  if (code === 0) return { providerMessageId: s.requestId, outcome: 'delivered', code: '0', reason, goneTargets: [] };
  if (GONE.has(code)) return { providerMessageId: s.requestId, outcome: 'failed', code: String(code), reason, goneTargets: [s.token] };
  return { providerMessageId: s.requestId, outcome: UNDELIVERED.has(code) ? 'failed' : 'notice', code: String(code), reason, goneTargets: [] };
}

export function readHuaweiReceipts(body: unknown): PushReceiptBatch {
  const parsed = Body.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
  }
  const bad = parsed.data.statuses.findIndex((s) => s.status === undefined && s.deliveryStatus === undefined);
  if (bad >= 0) return { problem: `statuses.${bad}: neither status (V1) nor deliveryStatus.result (V2)` };
  return { receipts: parsed.data.statuses.map(receiptOf).filter((r): r is PushReceipt => r !== undefined) };
}
