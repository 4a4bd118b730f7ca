// Schemas of the recipient model that other schemas build on: segments (attribute filters)
// and identities. Kept apart from schemas.ts so both it and the recipient routes can import
// them without a cycle.
import { z } from 'zod';

/** `plan` or `address.country`: dotted keys into `attributes`, so a path can never carry SQL. */
export const AttributePath = z
  .string()
  .max(200)
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}(\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,4}$/, 'dotted attribute keys of letters, digits, _ and -, at most 5 levels');

/** A preference category (and the id of a self-service topic, which is one). */
export const CategoryName = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : -');

const Scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const Bound = z.union([z.number(), z.string().max(100)]);

const Range = z
  .object({ gt: Bound.optional(), gte: Bound.optional(), lt: Bound.optional(), lte: Bound.optional() })
  .strict()
  .refine((r) => Object.values(r).some((v) => v !== undefined), 'a range needs at least one of gt, gte, lt, lte')
  // Numbers compare as numbers and strings (e.g. ISO dates in UTC) as text; mixing them has no meaning.
  .refine((r) => new Set(Object.values(r).filter((v) => v !== undefined).map((v) => typeof v)).size === 1, 'range bounds must all be numbers or all strings');

export const SegmentCondition = z
  .union([
    z.object({ attribute: AttributePath, equals: Scalar }).strict(),
    z.object({ attribute: AttributePath, in: z.array(Scalar).min(1).max(1000) }).strict(),
    z.object({ attribute: AttributePath, range: Range }).strict(),
    z.object({ attribute: AttributePath, exists: z.boolean() }).strict(),
  ])
  .meta({ id: 'SegmentCondition', description: 'One attribute filter: equals, in, range (numbers, or strings compared as text) or exists.' });

export const Segment = z
  .object({
    match: z.enum(['all', 'any']).default('all').meta({ description: '`all`: every condition holds; `any`: at least one.' }),
    conditions: z.array(SegmentCondition).min(1).max(50),
  })
  .strict()
  .meta({ id: 'Segment', description: 'Users whose `attributes` match these filters.' });

const ChatId = z.string().min(1).max(256);

export const WebPushSubscription = z
  .object({
    endpoint: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .meta({ description: 'The push service URL; must be https. PUT /v1/users answers 422 for http or a literal private, loopback or link-local IP the tenant has not allowlisted; host names are checked after DNS at send time.' }),
    keys: z.object({ p256dh: z.string().min(1).max(256), auth: z.string().min(1).max(256) }).strict(),
  })
  .strict()
  .meta({ id: 'WebPushSubscription', description: 'A browser PushSubscription as JSON (PushSubscription.toJSON()).' });

/** A user's external ids per channel (API.md Recipients). */
export const Identities = z
  .object({
    dingtalk: ChatId.optional().meta({ description: 'DingTalk user id' }),
    wecom: ChatId.optional().meta({ description: 'WeCom user id' }),
    feishu: ChatId.optional().meta({ description: 'Feishu/Lark open id' }),
    slack: ChatId.optional().meta({ description: 'Slack member or channel id' }),
    telegram: ChatId.optional().meta({ description: 'Telegram chat id' }),
    discord: ChatId.optional().meta({ description: 'Discord user id' }),
    wechat: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,64}$/, 'a WeChat openid')
      .optional()
      .meta({ description: "The follower's openid under the tenant's WeChat Official Account (wechat-template push)" }),
    webpush: z.array(WebPushSubscription).max(20).optional(),
    fcm: z.array(z.string().min(1).max(4096)).max(20).optional().meta({ description: 'FCM registration tokens' }),
    apns: z
      .array(z.string().regex(/^[0-9a-fA-F]{64,200}$/, 'an APNs device token is hex'))
      .max(20)
      .optional()
      .meta({ description: 'APNs device tokens' }),
    jpush: z
      .array(z.string().regex(/^[0-9A-Za-z]{1,64}$/, 'a JPush registration id is letters and digits'))
      .max(20)
      .optional()
      .meta({ description: 'JPush registration ids (forgotten when JPush reports the device gone)' }),
    huawei: z
      .array(z.string().regex(/^[A-Za-z0-9+/=_:.-]{20,512}$/, 'a Huawei Push Kit token'))
      .max(20)
      .optional()
      .meta({ description: 'Huawei Push Kit tokens (forgotten when Push Kit reports them invalid)' }),
    xiaomi: z
      .array(z.string().regex(/^[A-Za-z0-9+/=_-]{20,256}$/, 'a Xiaomi push registration id'))
      .max(20)
      .optional()
      .meta({ description: 'Xiaomi push registration ids (forgotten when MiPush reports them unknown)' }),
    webhook: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  })
  .strict()
  .meta({ id: 'Identities' });
