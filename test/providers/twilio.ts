// Twilio Messages API (twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json, Basic auth AccountSid:AuthToken,
// form-encoded To, Body, From | MessagingServiceSid, StatusCallback; 201 with the message.
// After accepting, it posts a signed status callback the way Twilio does (twilio.com/docs/usage/security).
import { createHmac, randomBytes } from 'node:crypto';
import { header, type Handler } from './receiver.js';

/** Twilio's documented scheme, written out here so the adapter's validator is checked against it. */
export function twilioSignatureFor(authToken: string, url: string, params: Record<string, string>): string {
  const sortedNames = Object.keys(params).sort();
  const data = sortedNames.reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export interface TwilioOptions {
  /** Posts the status callback and waits for its answer before replying to the send: a receipt that beats the sender's bookkeeping. */
  receiptBeforeReply?: boolean;
  /** The callback's MessageStatus (default delivered), or one chosen by the message text. */
  receiptStatus?: string | ((body: string) => string);
}

export function twilioApi(accountSid: string, authToken: string, opts: TwilioOptions = {}): Handler {
  return async (req) => {
    if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      return { status: 404, body: { code: 20404, message: 'The requested resource was not found', status: 404 } };
    }
    if (header(req, 'authorization') !== `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`) {
      return { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } };
    }
    if (header(req, 'content-type') !== 'application/x-www-form-urlencoded') return { status: 400, body: { code: 21601, message: 'bad content type', status: 400 } };
    const form = new URLSearchParams(req.body);
    const to = form.get('To') ?? '';
    if (!form.get('Body')) return { status: 400, body: { code: 21602, message: 'Message body is required.', status: 400 } };
    if (!form.get('From') && !form.get('MessagingServiceSid')) return { status: 400, body: { code: 21603, message: "A 'From' phone number is required.", status: 400 } };
    // +15005550001 is Twilio's magic test number for "invalid".
    if (!/^\+\d{8,15}$/.test(to) || to === '+15005550001') return { status: 400, body: { code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 } };
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const callback = form.get('StatusCallback');
    if (callback) {
      const receipt = typeof opts.receiptStatus === 'function' ? opts.receiptStatus(form.get('Body') ?? '') : (opts.receiptStatus ?? 'delivered');
      const params = { AccountSid: accountSid, From: form.get('From') ?? '', MessageSid: sid, MessageStatus: receipt, SmsSid: sid, SmsStatus: receipt, To: to, ApiVersion: '2010-04-01' };
      const post = () =>
        fetch(callback, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignatureFor(authToken, callback, params) },
          body: new URLSearchParams(params).toString(),
        });
      if (opts.receiptBeforeReply) {
        const answer = await post();
        if (answer.status !== 204) throw new Error(`receipt answered ${answer.status}`);
      } else {
        setTimeout(() => void post().catch(() => undefined), 10);
      }
    }
    return { status: 201, body: { sid, account_sid: accountSid, to, from: form.get('From'), body: form.get('Body'), status: 'queued', api_version: '2010-04-01' } };
  };
}
