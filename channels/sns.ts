// Amazon SNS SMS through the official SDK: Publish straight to a phone number (Query protocol,
// SigV4 signed by the SDK) with the SMS type as a message attribute — Transactional by
// default, so OTPs get the higher-reliability route — and an optional sender id.
import { PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { awsClientSettings, awsConfigShape, awsDeliveryError, createClientCache, type AwsConfig } from './aws.js';
import { requireChannel } from './http.js';
import { enforceLimits, SMS_MAX_SEGMENTS } from './limits.js';
import type { ChannelAdapter, ChannelLimits, SendResult, SmsMessage } from './types.js';

export interface SnsConfig extends AwsConfig {
  /** `Transactional` (default: critical messages such as OTPs) or `Promotional` (cheaper). */
  smsType?: 'Transactional' | 'Promotional' | undefined;
  /** 1–11 alphanumeric characters shown as the sender where the destination country supports it. */
  senderId?: string | undefined;
  /** A number or short code of the account to send from (`AWS.MM.SMS.OriginationNumber`). */
  originationNumber?: string | undefined;
}

const ConfigSchema = z.strictObject({
  ...awsConfigShape,
  smsType: z.enum(['Transactional', 'Promotional']).optional().meta({ description: '`Transactional` (default: critical messages such as OTPs) or `Promotional` (cheaper).' }),
  senderId: z
    .string()
    .regex(/^(?=.*[A-Za-z])[A-Za-z0-9-]{1,11}$/, '1-11 letters, digits or hyphens, at least one letter')
    .optional()
    .meta({ description: '1–11 alphanumeric characters shown as the sender where the destination country supports it.' }),
  originationNumber: z.string().min(3).max(20).optional().meta({ description: 'A number or short code of the account to send from (`AWS.MM.SMS.OriginationNumber`).' }),
});

const E164 = /^\+[1-9]\d{6,14}$/;
/** SNS splits longer texts into parts itself, up to this many characters in all. */
// SNS refuses an SMS over 1600 characters; 20 SMS per second is an account's default publish quota.
const LIMITS: ChannelLimits = {
  lengths: [{ field: 'text', unit: 'chars', max: 1600 }, { field: 'text', unit: 'sms-segments', max: SMS_MAX_SEGMENTS }],
  ratePerSecond: 20,
  supportsRecall: false,
  supportsReceipts: false,
};

function snsErrorType(name: string, message: string): DeliveryErrorType | undefined {
  // SNS answers InvalidParameter for a bad PhoneNumber as for any other bad parameter; the message names it.
  if (/^(InvalidParameter|ParameterValueInvalid|InvalidParameterValue)(Exception)?$/.test(name)) {
    return /phone\s*number/i.test(message) ? DeliveryErrorType.InvalidRecipient : DeliveryErrorType.Rejected;
  }
  if (/^(OptedOut|EndpointDisabled)(Exception)?$/.test(name)) return DeliveryErrorType.InvalidRecipient;
  return undefined;
}

function attr(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

export function createSnsAdapter(): ChannelAdapter<SnsConfig, SmsMessage> {
  const clients = createClientCache<SNSClient>();

  return {
    kind: 'sns',
    channel: 'sms',
    limits: LIMITS,
    measure: (message) => ({ text: message.content.text ?? '' }),

    configSchema: ConfigSchema,

    async send(message: SmsMessage, config: SnsConfig): Promise<SendResult> {
      requireChannel(message.channel, 'sms', 'sns');
      const text = message.content.text;
      if (!text) throw new DeliveryError(DeliveryErrorType.Content, 'sns: SMS text is empty', { code: 'EEMPTY' });
      enforceLimits('sns', LIMITS, { text });
      if (!E164.test(message.to)) throw new DeliveryError(DeliveryErrorType.InvalidRecipient, `sns: ${message.to} is not an E.164 number`, { code: 'EINVALIDNUMBER' });
      const client = clients.get(config, () => new SNSClient(awsClientSettings(config, 'sns')));
      const attributes: Record<string, MessageAttributeValue> = { 'AWS.SNS.SMS.SMSType': attr(config.smsType ?? 'Transactional') };
      if (config.senderId) attributes['AWS.SNS.SMS.SenderID'] = attr(config.senderId);
      if (config.originationNumber) attributes['AWS.MM.SMS.OriginationNumber'] = attr(config.originationNumber);
      try {
        const out = await client.send(new PublishCommand({ PhoneNumber: message.to, Message: text, MessageAttributes: attributes }));
        if (!out.MessageId) throw new DeliveryError(DeliveryErrorType.Unavailable, 'sns: answer without a MessageId', { code: 'EBADANSWER' });
        return { providerMessageId: out.MessageId };
      } catch (err) {
        throw awsDeliveryError('sns', err, snsErrorType);
      }
    },

    async close(): Promise<void> {
      clients.close();
    },
  };
}
