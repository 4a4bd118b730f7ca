// Tencent Cloud API 3.0 endpoint for SMS SendSms (2021-01-11), verifying the TC3-HMAC-SHA256
// Authorization header as the "Signature v3" page describes it, against the headers actually received.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { header, type Handler } from './receiver.js';

function hmacSha256(key: Buffer | string, msg: string): Buffer {
  return createHmac('sha256', key).update(msg).digest();
}

function expectedSignature(secretKey: string, date: string, stringToSign: string): string {
  const kDate = hmacSha256(`TC3${secretKey}`, date);
  const kService = hmacSha256(kDate, 'sms');
  const kSigning = hmacSha256(kService, 'tc3_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

export function tencentSmsApi(secretId: string, secretKey: string, sdkAppId: string): Handler {
  return (req) => {
    const RequestId = randomUUID();
    const error = (Code: string, Message = Code) => ({ status: 200, body: { Response: { Error: { Code, Message }, RequestId } } });
    if (req.method !== 'POST' || req.url !== '/') return error('InvalidAction');
    if (header(req, 'x-tc-action') !== 'SendSms' || header(req, 'x-tc-version') !== '2021-01-11' || !header(req, 'x-tc-region')) return error('MissingParameter', 'X-TC-* headers');
    const ts = Number(header(req, 'x-tc-timestamp'));
    if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return error('AuthFailure.SignatureExpire');
    const auth = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(header(req, 'authorization') ?? '');
    if (!auth) return error('AuthFailure.InvalidAuthorization');
    const [, id, date, signedHeaders, signature] = auth as unknown as [string, string, string, string, string];
    if (id !== secretId) return error('AuthFailure.SecretIdNotFound');
    if (date !== new Date(ts * 1000).toISOString().slice(0, 10)) return error('AuthFailure.SignatureFailure', 'credential date does not match X-TC-Timestamp');
    const names = signedHeaders.split(';');
    if (!names.includes('content-type') || !names.includes('host')) return error('AuthFailure.SignatureFailure', 'content-type and host must be signed');
    const canonicalHeaders = names.map((n) => `${n}:${(header(req, n) ?? '').trim().toLowerCase()}\n`).join('');
    const hashedPayload = createHash('sha256').update(req.body).digest('hex');
    const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${hashedPayload}`;
    const stringToSign = `TC3-HMAC-SHA256\n${ts}\n${date}/sms/tc3_request\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    if (signature !== expectedSignature(secretKey, date, stringToSign)) return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    const body = JSON.parse(req.body) as { PhoneNumberSet?: string[]; SmsSdkAppId?: string; TemplateId?: string; TemplateParamSet?: string[]; SessionContext?: string };
    if (body.SmsSdkAppId !== sdkAppId) return error('InvalidParameterValue.SdkAppIdNotExist');
    if (!body.TemplateId || !Array.isArray(body.TemplateParamSet)) return error('MissingParameter', 'TemplateId');
    const phone = body.PhoneNumberSet?.[0] ?? '';
    const ok = /^\+\d{8,15}$/.test(phone);
    return {
      status: 200,
      body: {
        Response: {
          SendStatusSet: [
            ok
              ? { SerialNo: `5000:${Date.now()}`, PhoneNumber: phone, Fee: 1, SessionContext: body.SessionContext ?? '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' }
              : { SerialNo: '', PhoneNumber: phone, Fee: 0, SessionContext: '', Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'incorrect number', IsoCode: '' },
          ],
          RequestId,
        },
      },
    };
  };
}
