// Receipts pushed by the push and WeChat providers: Huawei Push Kit message receipts, Xiaomi
// push receipts and WeChat's TEMPLATESENDJOBFINISH event. Public (providers hold no Herald
// key): each URL carries the provider config's receiptToken, and where the provider signs
// (Huawei's X-HUAWEI-CALLBACK-ID, WeChat's query signature) that is verified too.
import express from 'express';
import { z } from 'zod';
import { applyHuaweiReceipts, applyXiaomiReceipts } from '../../domain/tracking/push-receipts.js';
import { answerWechatUrlCheck, applyWechatEvent } from '../../domain/tracking/wechat-receipts.js';
import { apiTracker } from '../tracking.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId } from '../schemas.js';

const Params = z.object({ providerId: ClientId, token: z.string().min(1).max(200) });
const WechatSigned = z.object({
  signature: z.string().regex(/^[0-9a-f]{40}$/, 'the SHA-1 hex signature'),
  timestamp: z.string().regex(/^\d{1,13}$/, 'a Unix timestamp'),
  nonce: z.string().min(1).max(64),
  openid: z.string().max(64).optional(),
});

export function pushReceiptRoutes(host: RouteHost, deps: AppDeps): void {
  const receiptDeps = { db: deps.db, secretBox: deps.secretBox, tracker: apiTracker(deps) };

  defineRoute(host, {
    method: 'post',
    path: '/v1/receipts/{providerId}/huawei/{token}',
    summary: 'Huawei Push Kit message receipts (the receipt URL set in AppGallery Connect carries the provider config’s `receiptToken`; with `receiptUserName` and `receiptKey` set, X-HUAWEI-CALLBACK-ID is verified)',
    tag: 'Providers',
    scope: null,
    params: Params,
    body: z.record(z.string(), z.unknown()).meta({
      description:
        'The receipt batch as Push Kit posts it: `{statuses: [...]}`, V1 `{token, biTag, status, timestamp, appid, requestId}` or V2 `{token, pushType, appPackageName, biTag, requestId, deliveryStatus: {result, timestamp}}`. 0 is delivered; 2 and 5 remove the token from the user’s profile and fail the delivery; 6, 10 and 102 fail it; other codes go on the timeline.',
    }),
    errors: [400, 403, 404],
    responses: {
      200: { description: 'Applied (or held until the send it reports on is recorded): the answer Push Kit expects', schema: z.object({ errno: z.string(), errmsg: z.string() }).meta({ id: 'HuaweiReceiptAck' }) },
    },
    async handler({ req, res, params, body }) {
      res.json(await applyHuaweiReceipts(receiptDeps, params.providerId, params.token, req.get('x-huawei-callback-id'), body));
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/receipts/{providerId}/xiaomi/{token}',
    summary: 'Xiaomi push receipts (MiPush posts them to the `extra.callback` URL each message carries: the provider config’s `receiptUrl`, which ends in its `receiptToken`)',
    tag: 'Providers',
    scope: null,
    params: Params,
    body: z.object({ data: z.string().min(2).max(60_000) }).meta({
      description: 'Form-encoded: `data` is a JSON object keyed by message id, each `{param, type, targets, jobkey, barStatus, timestamp}`. Type 1 is delivered; 16 (invalid target device) removes the registration ids in `targets` from the user’s profile and fails the delivery.',
    }),
    errors: [400, 403, 404],
    responses: { 200: { description: 'Applied (or held until the send it reports on is recorded)', schema: z.object({ result: z.literal('ok') }).meta({ id: 'XiaomiReceiptAck' }) } },
    async handler({ res, params, body }) {
      await applyXiaomiReceipts(receiptDeps, params.providerId, params.token, body);
      res.json({ result: 'ok' });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/receipts/{providerId}/wechat/{token}',
    summary: 'The WeChat Official Account server URL check: answers `echostr` when the signature verifies with the provider config’s `serverToken`',
    tag: 'Providers',
    scope: null,
    params: Params,
    query: WechatSigned.extend({ echostr: z.string().min(1).max(128) }),
    errors: [400, 403, 404],
    responses: { 200: { description: 'The echostr, as WeChat expects', contentType: 'text/plain', schema: z.string() } },
    async handler({ res, params, query }) {
      res.type('text/plain').send(await answerWechatUrlCheck(receiptDeps, params.providerId, params.token, query));
    },
  });

  // WeChat posts XML; the app's parsers take JSON and forms only.
  host.router.use('/v1/receipts/:providerId/wechat/:token', express.text({ type: ['text/xml', 'application/xml', 'text/plain'], limit: '64kb' }));
  defineRoute(host, {
    method: 'post',
    path: '/v1/receipts/{providerId}/wechat/{token}',
    summary: 'WeChat Official Account event push (the server URL of the account’s server configuration): TEMPLATESENDJOBFINISH moves a template message delivered or failed; the query’s signature is verified with the provider config’s `serverToken`',
    tag: 'Providers',
    scope: null,
    params: Params,
    query: WechatSigned,
    body: z.string().min(1).max(65_536).meta({
      description:
        'The event as WeChat posts it (`Content-Type: text/xml`, plaintext mode): `<xml><ToUserName/><FromUserName/><CreateTime/><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID/><Status/></xml>`, Status `success`, `failed:user block` or `failed: system failed`. Other events are acknowledged and ignored.',
    }),
    errors: [400, 403, 404],
    responses: { 200: { description: '`success`, the answer WeChat expects (applied, held until the send it reports on is recorded, or another event ignored)', contentType: 'text/plain', schema: z.string() } },
    async handler({ res, params, query, body }) {
      await applyWechatEvent(receiptDeps, params.providerId, params.token, query, body);
      res.type('text/plain').send('success');
    },
  });
}
