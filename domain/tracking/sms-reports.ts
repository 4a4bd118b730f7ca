// Delivery reports pushed by Aliyun (SmsReport) and Tencent (status callbacks). Neither
// provider signs them, so the callback URL carries the provider's `receiptToken` (see
// channels/sms-reports.ts); provider ids are unique per tenant only, and the token also says
// whose provider it is. Each report is recorded like any other receipt (recordReceipt): to
// the delivery the send recorded, with its event, or held until that send is recorded.
import { ALIYUN_SMS_REPORTS, TENCENT_SMS_REPORTS, type SmsReportFormat } from '../../channels/sms-reports.js';
import { invalid } from '../errors.js';
import { receiptOwner } from './receipt-owner.js';
import { recordReceipt, type ReceiptDeps } from './receipts.js';

const FORMATS: Record<string, SmsReportFormat> = { 'aliyun-sms': ALIYUN_SMS_REPORTS, 'tencent-sms': TENCENT_SMS_REPORTS };

/** Applies a pushed batch of reports; returns the answer the provider expects, so it stops pushing. */
export async function applySmsReports(deps: ReceiptDeps, providerId: string, token: string, body: unknown): Promise<Record<string, string | number>> {
  const owner = (await receiptOwner(deps, providerId, Object.keys(FORMATS), token)).row;
  const format = FORMATS[owner.kind] as SmsReportFormat;
  const read = format.read(body);
  if ('problem' in read) throw invalid('invalid_report', `not a ${owner.kind} delivery report: ${read.problem}`);
  for (const r of read.reports) {
    const outcome = r.delivered ? { status: 'delivered' as const } : { status: 'failed' as const, reason: r.reason, code: r.code };
    await recordReceipt(deps, { tenantId: owner.tenant_id, provider: owner.id, providerMessageId: r.providerMessageId }, outcome);
  }
  return format.ack;
}
