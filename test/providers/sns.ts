// Amazon SNS Publish to a phone number (docs.aws.amazon.com/sns/latest/api/API_Publish.html),
// AWS Query protocol: POST / form-encoded Action=Publish&Version=2010-03-31&PhoneNumber&Message
// &MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue}, SigV4 with the signing
// name `sns`; the answer is XML <PublishResponse><PublishResult><MessageId>, errors are
// <ErrorResponse><Error><Type><Code><Message>.
import { randomUUID } from 'node:crypto';
import { verifySigV4 } from './aws-sigv4.js';
import { header, type Handler, type Reply } from './receiver.js';

export interface SnsApiOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface SnsPublished {
  messageId: string;
  phoneNumber: string;
  message: string;
  attributes: Record<string, { dataType: string; stringValue: string }>;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function snsError(status: number, code: string, message: string, type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender'): Reply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

export function snsApi(opts: SnsApiOptions): Handler & { published: SnsPublished[] } {
  const published: SnsPublished[] = [];
  const handler: Handler = (req) => {
    const sig = verifySigV4(req, { secrets: { [opts.accessKeyId]: opts.secretAccessKey }, region: opts.region, service: 'sns', mustSign: ['content-type'] });
    if (!sig.ok) {
      return sig.code === 'InvalidClientTokenId'
        ? snsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.')
        : snsError(403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided. (${sig.reason})`);
    }
    if (req.method !== 'POST' || req.url !== '/') return snsError(404, 'InvalidAction', 'not found');
    if (!/^application\/x-www-form-urlencoded/.test(header(req, 'content-type') ?? '')) return snsError(400, 'InvalidParameter', 'content type');
    const form = new URLSearchParams(req.body);
    if (form.get('Action') !== 'Publish' || form.get('Version') !== '2010-03-31') return snsError(400, 'InvalidAction', `The action ${form.get('Action')} is not valid for this endpoint.`);
    const phone = form.get('PhoneNumber') ?? '';
    const message = form.get('Message') ?? '';
    if (!message) return snsError(400, 'InvalidParameter', 'Invalid parameter: Empty message');
    if (!/^\+[1-9]\d{6,14}$/.test(phone) || phone.startsWith('+1555')) return snsError(400, 'InvalidParameter', `Invalid parameter: PhoneNumber Reason: ${phone} is not valid to publish to`);
    const attributes: SnsPublished['attributes'] = {};
    for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
      const name = form.get(`MessageAttributes.entry.${n}.Name`) ?? '';
      const dataType = form.get(`MessageAttributes.entry.${n}.Value.DataType`) ?? '';
      const stringValue = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '';
      if (dataType !== 'String') return snsError(400, 'ParameterValueInvalid', `The message attribute '${name}' has an invalid message attribute type`);
      attributes[name] = { dataType, stringValue };
    }
    const smsType = attributes['AWS.SNS.SMS.SMSType']?.stringValue;
    if (smsType !== undefined && smsType !== 'Transactional' && smsType !== 'Promotional') {
      return snsError(400, 'ParameterValueInvalid', `The message attribute 'AWS.SNS.SMS.SMSType' has an invalid value ${smsType}`);
    }
    const messageId = randomUUID();
    published.push({ messageId, phoneNumber: phone, message, attributes });
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  };
  return Object.assign(handler, { published });
}
