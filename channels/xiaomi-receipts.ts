// Xiaomi push receipts (消息回执): a message sent with `extra.callback` (a URL),
// `extra.callback.type` (the receipt kinds, a bit sum) and `extra.callback.param` makes MiPush
// post the receipts to that URL, form-encoded, with one field `data`: a JSON object keyed by
// message id (the data.id the send answered), each `{param, type, targets, jobkey,
// barStatus, timestamp}`, targets the comma-separated registration ids. Type 1 is delivered,
// 16 "invalid target device" (the registration id is gone: uninstalled, or another app's).
// Herald asks for 1 + 16. MiPush does not sign receipts: the URL carries the provider's
// receiptToken.
import { z } from 'zod';
import type { PushReceipt, PushReceiptBatch } from './push-receipts.js';

export const XIAOMI_RECEIPT_DELIVERED = 1;
export const XIAOMI_RECEIPT_INVALID_TARGET = 16;
/** The receipt kinds Herald asks for (`extra.callback.type`). */
export const XIAOMI_RECEIPT_TYPES = XIAOMI_RECEIPT_DELIVERED + XIAOMI_RECEIPT_INVALID_TARGET;

const Entry = z.looseObject({ type: z.number().int().positive(), targets: z.string().max(100_000).default(''), param: z.string().optional() });
const Data = z.record(z.string().min(1).max(128), Entry);

export function readXiaomiReceipts(body: unknown): PushReceiptBatch {
  const data = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).data : undefined;
  if (typeof data !== 'string') return { problem: 'data: the form field `data` (a JSON object) is missing' };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { problem: 'data: not JSON' };
  }
  const parsed = Data.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `data.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const receipts: PushReceipt[] = [];
  for (const [msgId, e] of Object.entries(parsed.data)) {
    const targets = e.targets.split(',').map((t) => t.trim()).filter(Boolean);
    if (e.type === XIAOMI_RECEIPT_DELIVERED) receipts.push({ providerMessageId: msgId, outcome: 'delivered', code: '1', reason: 'xiaomi-push receipt 1: delivered', goneTargets: [] });
    else if (e.type === XIAOMI_RECEIPT_INVALID_TARGET) receipts.push({ providerMessageId: msgId, outcome: 'failed', code: '16', reason: 'xiaomi-push receipt 16: invalid target device (uninstalled, or not a device of the app)', goneTargets: targets });
  }
  return { receipts };
}
