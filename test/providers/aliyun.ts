// Alibaba Cloud RPC endpoint for Dysmsapi SendSms, checking the signature v1 as documented
// (alibabacloud.com/help/en/sms/signature-method): RFC 3986 percent-encoding of UTF-8 bytes,
// parameters sorted, StringToSign = METHOD&%2F&encode(query), HMAC-SHA1 key = secret + "&".
import { createHmac, randomUUID } from 'node:crypto';
import type { Handler } from './receiver.js';

/** Byte by byte, as the documentation states the rule, instead of via encodeURIComponent. */
function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function aliyunSmsApi(accessKeyId: string, accessKeySecret: string): Handler {
  const seenNonces = new Set<string>();
  // A BizId per message, as Alibaba gives, so delivery reports can be matched to their send.
  let sent = 0;
  return (req) => {
    if (req.method !== 'POST' || new URL(req.url, 'http://x').pathname !== '/') return { status: 404, body: { Code: 'InvalidAction.NotFound' } };
    const params = new URLSearchParams(req.body);
    const get = (k: string): string => params.get(k) ?? '';
    const requestId = randomUUID();
    if (get('Action') !== 'SendSms' || get('Version') !== '2017-05-25' || get('Format') !== 'JSON') return { status: 400, body: { Code: 'InvalidParameter', Message: 'Action/Version/Format', RequestId: requestId } };
    if (get('SignatureMethod') !== 'HMAC-SHA1' || get('SignatureVersion') !== '1.0') return { status: 400, body: { Code: 'IncompleteSignature', RequestId: requestId } };
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(get('Timestamp')) || Math.abs(Date.parse(get('Timestamp')) - Date.now()) > 15 * 60_000) {
      return { status: 400, body: { Code: 'InvalidTimeStamp.Expired', RequestId: requestId } };
    }
    if (get('AccessKeyId') !== accessKeyId) return { status: 404, body: { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.', RequestId: requestId } };
    const nonce = get('SignatureNonce');
    if (!nonce || seenNonces.has(nonce)) return { status: 400, body: { Code: 'SignatureNonceUsed', RequestId: requestId } };
    seenNonces.add(nonce);
    const names = [...new Set(params.keys())].filter((k) => k !== 'Signature').sort();
    const canonical = names.map((k) => `${percentEncode(k)}=${percentEncode(get(k))}`).join('&');
    const stringToSign = `POST&${percentEncode('/')}&${percentEncode(canonical)}`;
    const expected = createHmac('sha1', `${accessKeySecret}&`).update(stringToSign).digest('base64');
    if (get('Signature') !== expected) return { status: 400, body: { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.', RequestId: requestId } };
    if (!/^(\d{11}|[1-9]\d{7,14})$/.test(get('PhoneNumbers'))) return { status: 200, body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号', RequestId: requestId } };
    if (!get('SignName') || !get('TemplateCode')) return { status: 200, body: { Code: 'isv.SMS_SIGNATURE_ILLEGAL', Message: 'missing sign or template', RequestId: requestId } };
    if (params.has('TemplateParam')) {
      try {
        JSON.parse(get('TemplateParam'));
      } catch {
        return { status: 200, body: { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法', RequestId: requestId } };
      }
    }
    sent += 1;
    return { status: 200, body: { Code: 'OK', Message: 'OK', BizId: `${900619746936498440n + BigInt(sent - 1)}^0`, RequestId: requestId } };
  };
}
