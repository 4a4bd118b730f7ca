// Tencent Cloud SMS (SendSms, API 2021-01-11) signed with TC3-HMAC-SHA256: a canonical
// request over content-type and host, a date-scoped derived key (TC3<SecretKey> → date →
// service → "tc3_request"), and the Authorization header. Tencent answers HTTP 200 for
// API errors; the outcome is Response.Error or each SendStatusSet entry's Code.
import { createHash, createHmac } from 'node:crypto';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { configUrl, errorForStatus, httpRequest, isSuccess, parseJson, requireChannel, requireConfig, truncate } from './http.js';
import type { ChannelAdapter, ChannelLimits, SendResult, SmsMessage } from './types.js';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { receiptToken } from './sms-reports.js';
import { z } from 'zod';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface TencentSmsConfig extends OutboundSettings {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  /** The signature to send under unless the template's declares its own. */
  signName?: string | undefined;
  region?: string | undefined;
  /** Default `https://sms.tencentcloudapi.com`. */
  endpoint?: string | undefined;
  timeoutMs?: number | undefined;
  /** The secret path segment of the status callback URL (domain/tracking/sms-reports.ts). */
  receiptToken?: string | undefined;
}

interface TencentAnswer {
  Response?: {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: { SerialNo?: string; PhoneNumber?: string; Code?: string; Message?: string }[];
    RequestId?: string;
  };
}

const SERVICE = 'sms';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const sha256hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string): Buffer => createHmac('sha256', key).update(s, 'utf8').digest();

export function tc3Authorization(opts: { secretId: string; secretKey: string; host: string; payload: string; timestamp: number; service: string }): string {
  const date = new Date(opts.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalRequest = ['POST', '/', '', `content-type:${CONTENT_TYPE}\nhost:${opts.host}\n`, 'content-type;host', sha256hex(opts.payload)].join('\n');
  const scope = `${date}/${opts.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(opts.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${opts.secretKey}`, date), opts.service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${opts.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

const RECIPIENT_CODES = /^(InvalidParameterValue\.IncorrectPhoneNumber|FailedOperation\.PhoneNumberInBlacklist|UnsupportedOperation\.UnsupportedRegion|UnsupportedOperation\.ContainDomesticAndInternationalPhoneNumber|FailedOperation\.PhoneNumberParseFail|LimitExceeded\.PhoneNumberCountLimit)$/;
const RATE_CODES = /^(LimitExceeded\.|RequestLimitExceeded)/;
const TRANSIENT_CODES = /^(InternalError|FailedOperation\.(JsonParseFail|FailResolvePacket)|ResourceUnavailable)/;
const CONFIG_CODES = /^(AuthFailure|UnauthorizedOperation|FailedOperation\.(SignatureIncorrectOrUnapproved|TemplateIncorrectOrUnapproved|InsufficientBalanceInSmsPackage|MissingSignature|MissingTemplate)|InvalidParameterValue\.(SdkAppIdNotExist|TemplateParameterFormatError)|ResourceNotFound)/;

function classify(code: string, detail: string): DeliveryError {
  const message = `tencent-sms ${code}: ${detail}`;
  // Checked before the rate rule: a number-count limit is about the recipient list, not throttling.
  if (RECIPIENT_CODES.test(code)) return new DeliveryError(DeliveryErrorType.InvalidRecipient, message, { code });
  if (RATE_CODES.test(code)) return new DeliveryError(DeliveryErrorType.RateLimited, message, { code, retryAfterMs: 60_000 });
  if (TRANSIENT_CODES.test(code)) return new DeliveryError(DeliveryErrorType.Unavailable, message, { code });
  if (CONFIG_CODES.test(code)) return new DeliveryError(DeliveryErrorType.ProviderConfig, message, { code });
  return new DeliveryError(DeliveryErrorType.Rejected, message, { code });
}

// Sends pre-registered templates only: their length is checked when the template is
// registered with the provider, so nothing Herald renders is measured here.
// Delivery reports come back as status callbacks (domain/tracking/sms-reports.ts).
const LIMITS: ChannelLimits = { lengths: [], supportsRecall: false, supportsReceipts: true };

const ConfigSchema = z.strictObject({
  secretId: z.string().min(1).max(128).meta({ description: 'The SecretId of a CAM user allowed to call SMS SendSms.' }),
  secretKey: secret(z.string().min(1).max(256), 'The SecretKey.'),
  sdkAppId: z.string().regex(/^\d+$/, 'the SmsSdkAppId: digits only').meta({ description: 'The SMS application id (SmsSdkAppId), e.g. `1400006666`.' }),
  signName: z.string().min(1).max(100).optional().meta({ description: "The approved signature (签名) to send under; a template's `sms.providers.tencent-sms.signName` overrides it." }),
  region: z.string().min(1).max(64).optional().meta({ description: 'Default `ap-guangzhou`.' }),
  endpoint: httpUrl('Default `https://sms.tencentcloudapi.com`.').optional(),
  timeoutMs,
  receiptToken,
});

export function createTencentSmsAdapter(): ChannelAdapter<TencentSmsConfig, SmsMessage> {
  return {
    kind: 'tencent-sms',
    channel: 'sms',
    limits: LIMITS,
    measure: () => ({}),
    configSchema: ConfigSchema,

    async send(message: SmsMessage, config: TencentSmsConfig): Promise<SendResult> {
      requireChannel(message.channel, 'sms', 'tencent-sms');
      const secretId = requireConfig(config.secretId, 'tencent-sms', 'secretId');
      const secretKey = requireConfig(config.secretKey, 'tencent-sms', 'secretKey');
      const sdkAppId = requireConfig(config.sdkAppId, 'tencent-sms', 'sdkAppId');
      const templateId = message.content.templateId;
      // Refused for this provider only: another one may send the text (failover goes on).
      if (!templateId) throw new DeliveryError(DeliveryErrorType.Rejected, 'tencent-sms sends registered templates only; the template declares no sms.providers.tencent-sms.templateId', { code: 'ENOTEMPLATE' });
      // Templates use positional {1}, {2}: a list in that order, or keys "1", "2" (integer keys enumerate in ascending order).
      const params = message.content.templateParams ?? [];
      const templateParamSet = Array.isArray(params) ? params : Object.values(params);
      const payload = JSON.stringify({
        PhoneNumberSet: [message.to],
        SmsSdkAppId: sdkAppId,
        SignName: message.content.signName ?? config.signName,
        TemplateId: templateId,
        TemplateParamSet: templateParamSet,
        SessionContext: message.messageId,
      });
      // fetch derives the Host header from the URL the same way, port included, so the signed host matches.
      const endpoint = configUrl(config.endpoint ?? 'https://sms.tencentcloudapi.com', 'tencent-sms', 'endpoint');
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: endpoint.toString(),
        headers: {
          authorization: tc3Authorization({ secretId, secretKey, host: endpoint.host, payload, timestamp, service: SERVICE }),
          'content-type': CONTENT_TYPE,
          'x-tc-action': 'SendSms',
          'x-tc-version': '2021-01-11',
          'x-tc-timestamp': String(timestamp),
          'x-tc-region': config.region ?? 'ap-guangzhou',
        },
        body: payload,
        timeoutMs: config.timeoutMs,
      });
      if (!isSuccess(res.status)) throw errorForStatus('tencent-sms', res, res.text, { goneType: DeliveryErrorType.ProviderConfig });
      const answer = (parseJson(res.text) as TencentAnswer | undefined)?.Response;
      if (!answer) throw new DeliveryError(DeliveryErrorType.Unavailable, `tencent-sms: unexpected answer ${truncate(res.text)}`, { code: 'EBADANSWER' });
      if (answer.Error?.Code) throw classify(answer.Error.Code, answer.Error.Message ?? '');
      const status = answer.SendStatusSet?.[0];
      if (!status?.Code) throw new DeliveryError(DeliveryErrorType.Unavailable, 'tencent-sms: answer without SendStatusSet', { code: 'EBADANSWER' });
      if (status.Code !== 'Ok') throw classify(status.Code, status.Message ?? '');
      return { providerMessageId: status.SerialNo ?? answer.RequestId ?? null };
    },

    async close(): Promise<void> {},
  };
}
