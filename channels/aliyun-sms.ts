// Alibaba Cloud SMS (Dysmsapi 2017-05-25, SendSms) with the RPC signature v1: sort all
// parameters, percent-encode per RFC 3986 (space → %20, `*` → %2A, `~` kept), sign
// "POST&%2F&" + encode(canonical query) with HMAC-SHA1 keyed by AccessKeySecret + "&".
import { createHmac, randomUUID } from 'node:crypto';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, parseJson, requireChannel, requireConfig, truncate } from './http.js';
import type { ChannelAdapter, ChannelLimits, SendResult, SmsMessage } from './types.js';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { receiptToken } from './sms-reports.js';
import { z } from 'zod';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface AliyunSmsConfig extends OutboundSettings {
  accessKeyId: string;
  accessKeySecret: string;
  /** The signature to send under unless the template's declares its own. */
  signName?: string | undefined;
  /** Default `https://dysmsapi.aliyuncs.com/`. */
  endpoint?: string | undefined;
  regionId?: string | undefined;
  timeoutMs?: number | undefined;
  /** The secret path segment of the SmsReport callback URL (domain/tracking/sms-reports.ts). */
  receiptToken?: string | undefined;
}

interface AliyunAnswer {
  Code?: string;
  Message?: string;
  BizId?: string;
  RequestId?: string;
}

/** RFC 3986 unreserved characters stay; everything else is %XX in upper case. */
export function aliyunPercentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function aliyunSignature(method: string, params: Record<string, string>, accessKeySecret: string): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k] ?? '')}`)
    .join('&');
  const stringToSign = `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

// From the SendSms error code list (alibabacloud.com/help/en/sms/developer-reference/api-error-codes).
// Only a number that can never receive ends failover; a per-number or account throttle
// (BUSINESS_LIMIT_CONTROL, DAY_LIMIT_CONTROL) lets the next provider try.
const RECIPIENT_CODES = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.MOBILE_COUNT_OVER_LIMIT']);
const RATE_CODES = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'Throttling.User', 'Throttling', 'isv.DAY_LIMIT_CONTROL']);
const TRANSIENT_CODES = new Set(['isp.SYSTEM_ERROR', 'isp.RAM_PERMISSION_DENY_TEMPORARILY', 'ServiceUnavailable', 'InternalError']);
const CONFIG_PREFIXES = ['isv.DENY_IP_RANGE', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'isv.SMS_SIGNATURE', 'isv.SMS_TEMPLATE', 'isv.ACCOUNT', 'isv.OUT_OF_SERVICE', 'isv.AMOUNT_NOT_ENOUGH', 'isv.PRODUCT_UN_SUBSCRIPT', 'isp.RAM_PERMISSION_DENY', 'IncompleteSignature', 'InvalidTimeStamp'];

function classify(code: string, detail: string): DeliveryError {
  const message = `aliyun-sms ${code}: ${detail}`;
  if (RECIPIENT_CODES.has(code)) return new DeliveryError(DeliveryErrorType.InvalidRecipient, message, { code });
  // BUSINESS_LIMIT_CONTROL is the per-number minute/hour/day cap; a minute is the shortest window.
  if (RATE_CODES.has(code)) return new DeliveryError(DeliveryErrorType.RateLimited, message, { code, retryAfterMs: 60_000 });
  if (TRANSIENT_CODES.has(code)) return new DeliveryError(DeliveryErrorType.Unavailable, message, { code });
  if (CONFIG_PREFIXES.some((p) => code.startsWith(p))) return new DeliveryError(DeliveryErrorType.ProviderConfig, message, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, message, { code });
}

// Sends pre-registered templates only: their length is checked when the template is
// registered with the provider, so nothing Herald renders is measured here.
// Delivery reports come back as SmsReport HTTP pushes (domain/tracking/sms-reports.ts).
const LIMITS: ChannelLimits = { lengths: [], supportsRecall: false, supportsReceipts: true };

const ConfigSchema = z.strictObject({
  accessKeyId: z.string().min(1).max(128).meta({ description: 'The AccessKey ID of a RAM user allowed to call Dysmsapi SendSms.' }),
  accessKeySecret: secret(z.string().min(1).max(256), 'The AccessKey secret.'),
  signName: z.string().min(1).max(100).optional().meta({ description: "The approved signature (签名) to send under; a template's `sms.providers.aliyun-sms.signName` overrides it." }),
  endpoint: httpUrl('Default `https://dysmsapi.aliyuncs.com/`.').optional(),
  regionId: z.string().min(1).max(64).optional().meta({ description: 'Default `cn-hangzhou`.' }),
  timeoutMs,
  receiptToken,
});

export function createAliyunSmsAdapter(): ChannelAdapter<AliyunSmsConfig, SmsMessage> {
  return {
    kind: 'aliyun-sms',
    channel: 'sms',
    limits: LIMITS,
    measure: () => ({}),
    configSchema: ConfigSchema,

    async send(message: SmsMessage, config: AliyunSmsConfig): Promise<SendResult> {
      requireChannel(message.channel, 'sms', 'aliyun-sms');
      const keyId = requireConfig(config.accessKeyId, 'aliyun-sms', 'accessKeyId');
      const secret = requireConfig(config.accessKeySecret, 'aliyun-sms', 'accessKeySecret');
      const signName = message.content.signName ?? requireConfig(config.signName, 'aliyun-sms', 'signName');
      const templateCode = message.content.templateId;
      // Refused for this provider only: another one may send the text (failover goes on).
      if (!templateCode) throw new DeliveryError(DeliveryErrorType.Rejected, 'aliyun-sms sends registered templates only; the template declares no sms.providers.aliyun-sms.templateCode', { code: 'ENOTEMPLATE' });
      const params: Record<string, string> = {
        AccessKeyId: keyId,
        Action: 'SendSms',
        Format: 'JSON',
        RegionId: config.regionId ?? 'cn-hangzhou',
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        Version: '2017-05-25',
        // Mainland numbers go without a country code, international ones as digits without '+'.
        PhoneNumbers: message.to.replace(/^\+86/, '').replace(/^\+/, ''),
        SignName: signName,
        TemplateCode: templateCode,
        // The ledger id lets an SMS report (SmsReport) be matched back to the delivery row.
        OutId: message.messageId,
      };
      if (message.content.templateParams) params.TemplateParam = JSON.stringify(message.content.templateParams);
      params.Signature = aliyunSignature('POST', params, secret);
      const body = Object.entries(params)
        .map(([k, v]) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(v)}`)
        .join('&');
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: config.endpoint ?? 'https://dysmsapi.aliyuncs.com/',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        timeoutMs: config.timeoutMs,
      });
      const answer = parseJson(res.text) as AliyunAnswer | undefined;
      if (isSuccess(res.status) && answer?.Code === 'OK') return { providerMessageId: answer.BizId ?? answer.RequestId ?? null };
      if (answer?.Code) {
        // Gateway-level statuses win for throttling and outages, whatever the body code.
        if (res.status === 429 || res.status >= 500) throw errorForStatus('aliyun-sms', res, `${answer.Code}: ${answer.Message ?? ''}`, { code: answer.Code });
        throw classify(answer.Code, answer.Message ?? '');
      }
      if (isSuccess(res.status)) throw new DeliveryError(DeliveryErrorType.Unavailable, `aliyun-sms: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
      throw errorForStatus('aliyun-sms', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
    },

    async close(): Promise<void> {},
  };
}
