// Delivery reports that Aliyun (SmsReport) and Tencent (SMS status callback) push over HTTP.
// Neither signs them, so they are authenticated by a secret the tenant puts in the callback
// URL it configures in the provider's console: /v1/receipts/{providerId}/{receiptToken}.
// Only the provider and the tenant know the URL, and TLS keeps it off the wire.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { secret } from './config-schema.js';

/** The `receiptToken` config field; `url` is the receipt URL the provider is given. */
export function receiptTokenField(url: string) {
  return secret(
    z.string().regex(/^[A-Za-z0-9_-]{16,200}$/, '16–200 letters, digits, - or _'),
    `A secret of your choice (16+ characters) that makes the delivery-report URL unguessable: configure \`${url}\` in the provider console. Without it, reports are refused.`,
  ).optional();
}

export const receiptToken = receiptTokenField('<HERALD_PUBLIC_URL>/v1/receipts/<provider id>/<receiptToken>');

/** Constant time, whatever the lengths: both sides are hashed to the same size first. */
export function receiptTokenMatches(expected: string | undefined, given: string): boolean {
  if (!expected) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** One report, by the id the provider's send answer gave. */
export interface SmsReport {
  providerMessageId: string;
  delivered: boolean;
  /** The provider's status code, e.g. Aliyun `DELIVERED`/`MK:0001`, Tencent `DELIVRD`. */
  code: string | undefined;
  /** The provider's words for a failure. */
  reason: string;
}

/** A provider's report format: how to read a pushed batch, and the answer that stops it from pushing again. */
export interface SmsReportFormat {
  read(body: unknown): { reports: SmsReport[] } | { problem: string };
  ack: Record<string, string | number>;
}

function reader<T>(item: z.ZodType<T>, toReport: (r: T) => SmsReport): SmsReportFormat['read'] {
  const batch = z.array(item).max(10_000);
  return (body) => {
    const parsed = batch.safeParse(body);
    if (parsed.success) return { reports: parsed.data.map(toReport) };
    const issue = parsed.error.issues[0];
    return { problem: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
  };
}

/** Aliyun SmsReport push: `[{phone_number, send_time, report_time, success, err_code, err_msg, sms_size, biz_id, out_id}]`; `biz_id` is SendSms's BizId. */
export const ALIYUN_SMS_REPORTS: SmsReportFormat = {
  read: reader(z.looseObject({ biz_id: z.string().min(1), success: z.boolean(), err_code: z.string().optional(), err_msg: z.string().optional() }), (r) => ({
    providerMessageId: r.biz_id,
    delivered: r.success,
    code: r.err_code,
    reason: `aliyun-sms reported ${r.err_code ?? 'a failure'}${r.err_msg ? `: ${r.err_msg}` : ''}`,
  })),
  ack: { code: 0, msg: '成功' },
};

/** Tencent status callback: `[{user_receive_time, nationcode, mobile, report_status, errmsg, description, sid}]`; `sid` is SendSms's SerialNo. */
export const TENCENT_SMS_REPORTS: SmsReportFormat = {
  read: reader(
    z.looseObject({ sid: z.string().min(1), report_status: z.enum(['SUCCESS', 'FAIL']), errmsg: z.string().optional(), description: z.string().optional() }),
    (r) => ({
      providerMessageId: r.sid,
      delivered: r.report_status === 'SUCCESS',
      code: r.errmsg,
      reason: `tencent-sms reported ${r.errmsg ?? 'a failure'}${r.description ? `: ${r.description}` : ''}`,
    }),
  ),
  ack: { result: 0, errmsg: 'OK' },
};
