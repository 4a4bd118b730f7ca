// Twilio Programmable Messaging: POST form-encoded to /2010-04-01/Accounts/{Sid}/Messages.json
// with HTTP Basic auth. Delivery receipts come back to StatusCallback, signed with
// X-Twilio-Signature, which `validateTwilioSignature` checks.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, httpRequest, isSuccess, joinUrl, parseJson, requireChannel, requireConfig } from './http.js';
import { enforceLimits, SMS_MAX_SEGMENTS } from './limits.js';
import type { ChannelAdapter, ChannelLimits, SendResult, SmsMessage } from './types.js';
import { z } from 'zod';
import { httpUrl, secret, timeoutMs } from './config-schema.js';
import { outboundPolicyOf, type OutboundSettings } from './outbound-guard.js';

export interface TwilioConfig extends OutboundSettings {
  accountSid: string;
  authToken: string;
  /** A Twilio number in E.164, or use messagingServiceSid. */
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
  /** Where Twilio posts delivery status changes; must be reachable from Twilio. */
  statusCallbackUrl?: string | undefined;
  /** Default `https://api.twilio.com`. */
  apiBaseUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

interface TwilioAnswer {
  sid?: string;
  status?: string;
  code?: number;
  message?: string;
}

// Twilio error codes (twilio.com/docs/api/errors) that mean the number will never accept this message.
const RECIPIENT_ERRORS = new Set([21211, 21214, 21217, 21401, 21407, 21408, 21610, 21612, 21614, 21635]);
const CONFIG_ERRORS = new Set([20003, 20404, 21212, 21606, 21659, 21603, 21705]);

/**
 * X-Twilio-Signature = base64(HMAC-SHA1(authToken, url + each POST param name+value, sorted by name)).
 * `url` is the full URL Twilio requested, including any query string.
 */
export function validateTwilioSignature(authToken: string, signature: string | undefined, url: string, params: Record<string, string | string[]>): boolean {
  if (!signature) return false;
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    // Repeated parameters are each appended, in value order, as Twilio's own validators do.
    const values = Array.isArray(value) ? [...value].sort() : [value ?? ''];
    for (const v of values) data += key + v;
  }
  const expected = Buffer.from(createHmac('sha1', authToken).update(data, 'utf8').digest('base64'));
  const got = Buffer.from(signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

// 1600 characters (JavaScript string length) is Twilio's hard limit for a (concatenated) body.
const LIMITS: ChannelLimits = {
  lengths: [{ field: 'text', unit: 'utf16', max: 1600 }, { field: 'text', unit: 'sms-segments', max: SMS_MAX_SEGMENTS }],
  supportsRecall: false,
  supportsReceipts: true,
};

const ConfigSchema = z
  .strictObject({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an Account SID (AC and 32 hex digits)').meta({ description: 'The Account SID (`AC…`).' }),
    authToken: secret(z.string().min(1).max(256), 'The Auth Token; it also verifies status callbacks.'),
    from: z.string().regex(/^\+[1-9]\d{1,14}$/, 'an E.164 number').optional().meta({ description: 'A Twilio number in E.164 (or give `messagingServiceSid`).' }),
    messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'a Messaging Service SID (MG…)').optional().meta({ description: 'A Messaging Service to send through (`MG…`).' }),
    statusCallbackUrl: httpUrl("Where Twilio posts status changes; default Herald's `/v1/receipts/{providerId}`.").optional(),
    apiBaseUrl: httpUrl('Default `https://api.twilio.com`.').optional(),
    timeoutMs,
  })
  .refine((c) => c.from !== undefined || c.messagingServiceSid !== undefined, { message: 'give from or messagingServiceSid', path: ['from'] });

export function createTwilioAdapter(): ChannelAdapter<TwilioConfig, SmsMessage> {
  return {
    kind: 'twilio',
    channel: 'sms',
    limits: LIMITS,
    configSchema: ConfigSchema,
    measure: (message) => ({ text: message.content.text ?? '' }),

    async send(message: SmsMessage, config: TwilioConfig): Promise<SendResult> {
      requireChannel(message.channel, 'sms', 'twilio');
      const sid = requireConfig(config.accountSid, 'twilio', 'accountSid');
      const token = requireConfig(config.authToken, 'twilio', 'authToken');
      if (!config.from && !config.messagingServiceSid) throw new DeliveryError(DeliveryErrorType.ProviderConfig, 'twilio: from or messagingServiceSid is required', { code: 'ECONFIG' });
      const text = message.content.text;
      if (!text) throw new DeliveryError(DeliveryErrorType.Content, 'twilio: SMS text is empty', { code: 'EEMPTY' });
      enforceLimits('twilio', LIMITS, { text });
      if (!/^\+[1-9]\d{6,14}$/.test(message.to)) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `twilio: ${message.to} is not an E.164 number`, { code: 'EINVALIDNUMBER' });

      const form = new URLSearchParams({ To: message.to, Body: text });
      if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
      else if (config.from) form.set('From', config.from);
      if (config.statusCallbackUrl) form.set('StatusCallback', config.statusCallbackUrl);

      const res = await httpRequest({
        outbound: outboundPolicyOf(config),
        url: joinUrl(config.apiBaseUrl ?? 'https://api.twilio.com', `/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`),
        headers: {
          authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        timeoutMs: config.timeoutMs,
      });
      const answer = parseJson(res.text) as TwilioAnswer | undefined;
      if (isSuccess(res.status)) {
        if (!answer?.sid) throw new DeliveryError(DeliveryErrorType.Unavailable, 'twilio: answer without a message sid', { code: 'EBADANSWER' });
        return { providerMessageId: answer.sid };
      }
      const code = answer?.code;
      const detail = answer?.message ?? res.text;
      if (res.status === 400 && code !== undefined) {
        if (RECIPIENT_ERRORS.has(code)) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `twilio ${code}: ${detail}`, { code });
        if (CONFIG_ERRORS.has(code)) throw new DeliveryError(DeliveryErrorType.ProviderConfig, `twilio ${code}: ${detail}`, { code });
      }
      // A 404 on the Messages resource means the account sid is wrong, not the recipient.
      throw errorForStatus('twilio', res, detail, { code: code ?? res.status, goneType: DeliveryErrorType.ProviderConfig });
    },

    async close(): Promise<void> {},
  };
}
