// Delivery receipts pushed by providers. Public (providers do not hold Herald keys), so
// each request must carry the provider's own signature over what it sent.
import express from 'express';
import { z } from 'zod';
import { applyTwilioReceipt } from '../../domain/tracking/receipts.js';
import { applySnsMessage } from '../../domain/tracking/ses-feedback.js';
import { applySmsReports } from '../../domain/tracking/sms-reports.js';
import { apiTracker } from '../tracking.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId } from '../schemas.js';

export function receiptRoutes(host: RouteHost, deps: AppDeps): void {
  const receiptDeps = { db: deps.db, secretBox: deps.secretBox, tracker: apiTracker(deps) };
  defineRoute(host, {
    method: 'post',
    path: '/v1/receipts/{providerId}',
    summary: "A provider's delivery callback (Twilio status callbacks, verified by X-Twilio-Signature)",
    tag: 'Providers',
    scope: null,
    params: z.object({ providerId: ClientId }),
    body: z.record(z.string(), z.union([z.string(), z.array(z.string())])).meta({ description: 'The provider’s form-encoded callback parameters.' }),
    errors: [403, 404],
    responses: { 204: { description: 'Applied, already applied, or held until the send it reports on is recorded' } },
    async handler({ req, res, params, body }) {
      await applyTwilioReceipt(receiptDeps, params.providerId, { url: `${deps.publicUrl}${req.originalUrl}`, signature: req.get('x-twilio-signature'), params: body });
      res.status(204).end();
    },
  });

  // SNS posts its JSON as text/plain; the app's JSON parser takes application/json only.
  host.router.use('/v1/receipts/:providerId/sns/:token', express.text({ type: 'text/plain', limit: '300kb' }));
  defineRoute(host, {
    method: 'post',
    path: '/v1/receipts/{providerId}/sns/{token}',
    summary: 'Amazon SNS HTTP(S) endpoint for SES bounce, complaint and delivery notifications: confirms the subscription, verifies each message’s SNS signature; the URL carries the SES provider config’s `receiptToken`',
    tag: 'Providers',
    scope: null,
    params: z.object({ providerId: ClientId, token: z.string().min(1).max(200) }),
    body: z.union([z.string().max(300_000), z.record(z.string(), z.unknown())]).meta({
      description:
        'The SNS message as SNS posts it (`Content-Type: text/plain`, a JSON object): `Type` `SubscriptionConfirmation`, `Notification` or `UnsubscribeConfirmation`, with `MessageId`, `TopicArn`, `Message`, `Timestamp`, `SignatureVersion` (1 or 2), `Signature`, `SigningCertURL` (and `SubscribeURL`, `Token` for the confirmations). A Notification’s `Message` is the SES notification (`notificationType` or `eventType` `Bounce`, `Complaint`, `Delivery`).',
    }),
    errors: [400, 403, 404, 503],
    responses: {
      200: {
        description: 'Confirmed, applied (or held until the send it reports on is recorded) or ignored (an SES event that is not feedback)',
        schema: z.object({ outcome: z.enum(['confirmed', 'unsubscribed', 'applied', 'ignored']) }).meta({ id: 'SnsReceiptOutcome' }),
      },
    },
    async handler({ res, params, body }) {
      res.json({ outcome: await applySnsMessage({ ...receiptDeps, sns: deps.sns, logger: deps.logger }, params.providerId, params.token, body) });
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/receipts/{providerId}/{token}',
    summary: "Aliyun SmsReport and Tencent SMS status callbacks: unsigned by the providers, so the URL carries the provider config's `receiptToken`",
    tag: 'Providers',
    scope: null,
    params: z.object({ providerId: ClientId, token: z.string().min(1).max(200) }),
    body: z
      .array(z.record(z.string(), z.unknown()))
      .max(10_000)
      .meta({
        description:
          'The batch the provider pushes. Aliyun: `[{phone_number, send_time, report_time, success, err_code, err_msg, sms_size, biz_id, out_id}]`. Tencent: `[{user_receive_time, nationcode, mobile, report_status, errmsg, description, sid}]`.',
      }),
    errors: [400, 403, 404],
    responses: {
      200: {
        description: 'Applied (or held until the send it reports on is recorded); the body is the acknowledgement the provider expects: Aliyun `{"code":0,"msg":"成功"}`, Tencent `{"result":0,"errmsg":"OK"}`',
        schema: z.record(z.string(), z.union([z.string(), z.number()])).meta({ id: 'SmsReportAck' }),
      },
    },
    async handler({ res, params, body }) {
      res.json(await applySmsReports(receiptDeps, params.providerId, params.token, body));
    },
  });
}
