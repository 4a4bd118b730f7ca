// Request and response schemas shared by routes, validation and /openapi.json.
import { z } from 'zod';
import { PRIORITIES } from '../common/priorities.js';
import { DELIVERY_STATUSES, NOTIFICATION_KINDS, NOTIFICATION_STATUSES } from '../schema/tables/statuses.js';
import { EMAIL_SUBJECT_MAX_CHARS } from '../channels/limits.js';
import { CHANNELS } from '../channels/types.js';
import { CategoryName, Identities, Segment } from './audience-schemas.js';
import type { AcceptRequest } from '../domain/notifications/request.js';
import type { UserProfile } from '../domain/recipients/users.js';
import { isIanaTimeZone } from '../domain/recipients/usable-profile.js';
import { CLIENT_ID_MAX, CLIENT_ID_PATTERN } from '../domain/recipients/client-id.js';
import type { ChannelPreviews, Problem as DomainProblem } from '../domain/templates/service.js';
import type { PreviewOptions } from '../domain/templates/manage.js';
import type { TestSend } from '../domain/templates/test-send.js';

/** Client-chosen ids (users, templates, groups…): URL-safe, bounded. */
export const ClientId = z.string().min(1).max(CLIENT_ID_MAX).regex(CLIENT_ID_PATTERN, 'use letters, digits and . _ : @ -');
export const IsoDateTime = z.iso.datetime({ offset: true }).meta({ description: 'ISO-8601 date-time with offset', example: '2026-11-26T19:30:00+08:00' });
export const Priority = z.enum(PRIORITIES).meta({ id: 'Priority' });
export const ChannelName = z.enum(CHANNELS).meta({ id: 'Channel' });

export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const IdParam = z.object({ id: z.string().min(1).max(128) });
export const KeyParam = z.object({ key: ClientId });

const AudienceFields = {
  userIds: z.array(ClientId).min(1).max(1000).optional().meta({ description: 'Target users by their ids (de-duplicated).' }),
  groups: z.array(ClientId).min(1).max(100).optional().meta({ description: 'Members of these groups (bulk).' }),
  modules: z.array(ClientId).min(1).max(100).optional().meta({ description: 'Members of these modules (bulk).' }),
  topics: z.array(CategoryName).min(1).max(100).optional().meta({ description: 'Subscribers of these self-service topics (bulk); a send to one topic without `category` is of that topic.' }),
  segment: Segment.optional().meta({ description: 'Users matching attribute filters (bulk).' }),
  all: z.literal(true).optional().meta({ description: "Every user of the tenant (bulk)." }),
};

export const Audience = z
  .object(AudienceFields)
  .strict()
  .refine((a) => a.userIds !== undefined || a.groups !== undefined || a.modules !== undefined || a.topics !== undefined || a.segment !== undefined || a.all === true, 'name at least one of userIds, groups, modules, topics, segment, all')
  .meta({ id: 'Audience', description: 'Any mix of selectors; a user matched by several is targeted once.' });

// Formats (email, E.164, locale, time zone) are checked by the domain, whose 422 names the item.
export const InlineRecipient = z
  .object({
    id: ClientId.optional().meta({ description: 'The user this is; absent, the user who has the email (else phone) address, or a new one with an id derived from it.' }),
    email: z.string().min(1).max(320).optional(),
    phone: z.string().min(1).max(32).optional().meta({ description: 'E.164, e.g. +8613800138000.' }),
    name: z.string().max(200).optional(),
    locale: z.string().max(35).optional().meta({ description: 'BCP 47 tag.' }),
    timezone: z.string().max(64).optional().meta({ description: 'IANA name.' }),
    data: z.record(z.string(), z.unknown()).optional().meta({ description: "This recipient's variables: its top-level keys replace the notification's `data` keys for this recipient (a shallow merge)." }),
  })
  .strict()
  .refine((r) => r.id !== undefined || r.email !== undefined || r.phone !== undefined, 'a recipient needs an id, an email or a phone')
  .meta({
    id: 'InlineRecipient',
    description:
      'A recipient named in the send. With any of email, phone, name, locale, timezone the user is created or updated with those fields (other fields, identities, memberships and directory-managed users stay as they are); with an id alone (and data) the user must exist.',
  });

export const SendAudience = z
  .object({
    ...AudienceFields,
    recipients: z.array(InlineRecipient).min(1).max(1000).optional().meta({ description: 'Recipients named inline, each with optional data of its own (see InlineRecipient).' }),
    chats: z
      .array(ClientId)
      .min(1)
      .max(50)
      .optional()
      .meta({ description: "Group chats to post into, by the id of the tenant's group-robot provider (DingTalk, WeCom or Feishu robot, Slack, Teams or Discord webhook): each is posted once, on one delivery whose userId is `chat/<provider id>`, @-mentioning the audience members with an id on that platform. Needs the chat channel." }),
  })
  .strict()
  .refine((a) => Object.values(a).some((v) => v !== undefined), 'name at least one of userIds, groups, modules, topics, segment, all, recipients, chats')
  .meta({ id: 'SendAudience', description: 'Any mix of selectors and inline recipients; a user matched by several is targeted once.' });

// Addresses, base64, media types, URLs and sizes are checked by the domain, whose 422 names the field.
const EmailAddressList = z.array(z.string().min(1).max(320)).min(1).max(50);
export const EmailAttachmentRequest = z
  .object({
    filename: z.string().min(1).max(255),
    contentType: z.string().min(3).max(255).optional().meta({ description: "Media type, e.g. `application/pdf`. For a URL, the answer's Content-Type must be this one; absent, the answer's is used (for `content`, the filename's extension decides)." }),
    content: z.string().min(1).optional().meta({ description: "The file in base64 (within the API's 1 MB request limit; larger files go by `url`)." }),
    url: z.string().min(1).max(2048).optional().meta({ description: "http(s) URL fetched by the first delivery through the outbound guard (private addresses only with the tenant's outboundAllowlist), checked against `contentType` and the tenant's `maxAttachmentBytes`, then kept for every recipient." }),
    contentId: z.string().min(1).max(255).regex(/^[^\s<>]+$/, 'no spaces or angle brackets').optional().meta({ description: 'Makes the file an inline image: the html shows it as `<img src="cid:<contentId>">`.' }),
  })
  .strict()
  .meta({ id: 'EmailAttachment', description: 'A file sent with the email: give `content` (base64) or `url`.' });
export const EmailOptions = z
  .object({
    replyTo: EmailAddressList.optional(),
    cc: EmailAddressList.optional().meta({ description: "Copied on every recipient's message." }),
    bcc: EmailAddressList.optional().meta({ description: "Blind-copied on every recipient's message: envelope recipients, never in a header." }),
    attachments: z.array(EmailAttachmentRequest).min(1).max(20).optional(),
  })
  .strict()
  .meta({ id: 'EmailOptions', description: "Reply-to, cc, bcc, attachments and inline images of the email channel. Stored in PostgreSQL with the notification (never in its workflow's history); attachments together may not pass the tenant's `maxAttachmentBytes` (default 10 MiB)." });

export const NotificationRequest = z
  .object({
    template: ClientId.meta({ description: 'Template key; its published version is used unless templateVersion is given.' }),
    templateVersion: z.number().int().min(1).optional(),
    to: SendAudience,
    data: z.record(z.string(), z.unknown()).default({}),
    priority: Priority.optional().meta({ description: "Defaults to the template's defaultPriority." }),
    channels: z.array(ChannelName).min(1).max(6).optional().meta({ description: "Restrict/order channels; default = the template's channels." }),
    category: z.string().min(1).max(64).optional(),
    sendAt: IsoDateTime.optional(),
    expiresAt: IsoDateTime.optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
    escalation: z
      .object({
        afterSeconds: z.number().int().min(1).max(7 * 86_400),
        channels: z.array(ChannelName).min(1).max(6),
        until: z.enum(['delivered', 'read']).default('delivered'),
      })
      .strict()
      .optional()
      .meta({ description: 'If a recipient is not reached (`delivered`, or `read` for in-app) within afterSeconds, send these channels too.' }),
    email: EmailOptions.optional(),
  })
  .strict()
  .meta({ id: 'NotificationRequest' }) satisfies z.ZodType<AcceptRequest>;

export const Counts = z
  .object({
    total: z.number().int(),
    pending: z.number().int(),
    sent: z.number().int(),
    delivered: z.number().int(),
    failed: z.number().int(),
    bounced: z.number().int().meta({ description: 'Sent, then returned as undeliverable (a hard bounce).' }),
    suppressed: z.number().int(),
    expired: z.number().int(),
    recalled: z.number().int(),
  })
  .meta({ id: 'DeliveryCounts' });

export const Notification = z
  .object({
    id: z.string().meta({ example: 'ntf_01jqz8x2v7c4m2n9k5t3w6y8a1' }),
    status: z.enum(NOTIFICATION_STATUSES),
    statusReason: z.string().nullable(),
    kind: z.enum(NOTIFICATION_KINDS),
    priority: Priority,
    category: z.string().nullable(),
    template: z.object({ key: z.string(), version: z.number().int() }),
    to: Audience,
    channels: z.array(ChannelName),
    data: z.record(z.string(), z.unknown()),
    idempotencyKey: z.string().nullable(),
    sendAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    counts: Counts,
    workflow: z.object({ workflowId: z.string(), runId: z.string().nullable(), temporalUiUrl: z.string() }),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
    purgedAt: z.string().nullable().meta({ description: "When retention deleted this notification's deliveries, their log and events (the tenant's `retentionDays`): its counts are zero and its deliveries and events lists empty from then on." }),
    approval: z
      .object({ decidedBy: z.string().nullable(), decidedAt: z.string().nullable(), comment: z.string().nullable() })
      .meta({ description: 'For bulk sends: who approved or rejected, when, and why.' }),
    parentId: z.string().nullable().meta({ description: 'The notification this one resends.' }),
    escalation: z.object({ afterSeconds: z.number().int(), channels: z.array(ChannelName), until: z.enum(['delivered', 'read']) }).nullable(),
  })
  .meta({ id: 'Notification' });

export const Delivery = z
  .object({
    id: z.string(),
    userId: z.string(),
    channel: ChannelName,
    address: z.string().nullable(),
    provider: z.string().nullable(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    reason: z.string().nullable().meta({ description: 'Why the delivery was suppressed or failed, or the last error while retrying.' }),
    errorCode: z.string().nullable(),
    messageId: z.string(),
    providerMessageId: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    failedAt: z.string().nullable(),
  })
  .meta({ id: 'Delivery' });

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });


export const Timezone = z.string().refine(isIanaTimeZone, 'not an IANA time zone');

const Locale = z.string().min(2).max(35).refine((l) => {
  try {
    return Intl.getCanonicalLocales(l).length === 1;
  } catch {
    return false;
  }
}, 'not a BCP 47 locale tag');

/** What a user's profile holds; a stored user and a sample recipient of a preview share it. */
const ProfileFields = {
  name: z.string().max(200).nullable().optional(),
  email: z.email().max(320).nullable().optional(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be E.164, e.g. +8613800138000').nullable().optional(),
  locale: Locale.nullable().optional(),
  timezone: Timezone.nullable().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
};

export const UserRequest = z
  .object({
    ...ProfileFields,
    identities: Identities.optional(),
    groups: z.array(ClientId).max(100).optional().meta({ description: 'Replaces the memberships; unknown groups are created.' }),
    modules: z.array(ClientId).max(100).optional().meta({ description: 'Replaces the memberships; unknown modules are created.' }),
  })
  .strict()
  .meta({ id: 'UserRequest' }) satisfies z.ZodType<UserProfile>;

export const User = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    identities: Identities,
    groups: z.array(z.string()),
    modules: z.array(z.string()),
    source: z.enum(['api', 'scim', 'ldap']).meta({ description: 'Who manages the user: `scim` and `ldap` users are read-only here (409 directory_managed).' }),
    active: z.boolean().meta({ description: 'false: deactivated by the directory; every delivery is suppressed as user_inactive.' }),
    profileWarnings: z
      .array(z.object({ field: z.string(), value: z.string(), message: z.string() }))
      .meta({ description: 'Values a directory (SCIM) sent that Herald does not use, such as a locale that is no BCP 47 tag or a time zone that is no IANA name: the user was provisioned, the value is kept as sent in the directory’s record, and the defaults apply instead.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });

// Template content. The field sets are declared once and used both whole (a channel's
// default content) and partially (a locale's overrides).
const Src = (max: number) => z.string().max(max);
const EmailFields = {
  subject: z.string().min(1).max(EMAIL_SUBJECT_MAX_CHARS),
  html: Src(1_000_000).optional(),
  text: Src(1_000_000).optional().meta({ description: 'Derived from html (html-to-text) when omitted.' }),
  layout: ClientId.optional().meta({ description: 'Key of a tenant layout (PUT /v1/layouts/{key}) that wraps the html.' }),
};
// Providers that send registered templates only (sms-codes.ts): their codes and parameters, per kind.
const SmsParam = Src(1_000).meta({ description: 'Template text, rendered per recipient like the rest (`{{code}}`, `{{recipient.name}}`).' });
const SmsSignName = z.string().min(1).max(100).optional().meta({ description: "The approved signature (签名) to send under; default the provider config's `signName`." });
const SmsProviderCodes = z
  .object({
    'aliyun-sms': z
      .object({
        templateCode: z.string().min(1).max(100).meta({ description: 'Aliyun `TemplateCode`, e.g. `SMS_154950909`.' }),
        signName: SmsSignName,
        templateParam: z.record(z.string(), SmsParam).optional().meta({ description: 'Aliyun `TemplateParam`: the registered template’s variables by name.' }),
      })
      .strict()
      .optional(),
    'tencent-sms': z
      .object({
        templateId: z.string().min(1).max(100).meta({ description: 'Tencent `TemplateId`, e.g. `449739`.' }),
        signName: SmsSignName,
        templateParamSet: z.array(SmsParam).max(30).optional().meta({ description: 'Tencent `TemplateParamSet`: the values of `{1}`, `{2}`, … in order.' }),
      })
      .strict()
      .optional(),
  })
  // Unknown kinds pass the shape check so that saving names them (422 unknown_sms_provider_kind).
  .catchall(z.unknown())
  .meta({
    id: 'SmsProviderTemplates',
    description:
      'Per provider kind that sends registered templates only (Aliyun, Tencent): the template code and its parameters. A send that none of the tenant’s SMS providers could carry for want of a code is refused with 422 `sms_template_code_missing`; a provider without its code is skipped (failover).',
  });
const SmsFields = { text: z.string().min(1).max(10_000), providers: SmsProviderCodes.optional() };
const ChatFields = { title: Src(1_000).optional(), markdown: z.string().min(1).max(100_000) };
const PushFields = {
  title: z.string().min(1).max(1_000),
  body: z.string().max(10_000),
  url: Src(2_000).optional(),
  icon: Src(2_000).optional(),
  data: z.record(z.string(), Src(10_000)).optional(),
};
const InappAction = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and -, at most 40').meta({ description: 'Names the action in the `clicked` event it records.' }),
    label: z.string().min(1).max(200).meta({ description: 'The button text (a template).' }),
    url: Src(2_000)
      .refine((u) => /^(https?:\/\/|\{\{)/i.test(u), 'an action url must start with http:// or https:// (or with a variable)')
      .optional()
      .meta({ description: 'A link the button opens (a template; it must render to an http(s) URL). Without it the button is a callback: pressing it records a `clicked` event with `details.action`.' }),
  })
  .strict()
  .meta({ id: 'InappAction' });
const InappFields = {
  title: z.string().min(1).max(1_000),
  body: z.string().max(100_000),
  url: Src(2_000).optional(),
  data: z.record(z.string(), z.unknown()).optional().meta({ description: 'Any JSON; string leaves are templates.' }),
  actions: z
    .array(InappAction)
    .max(5)
    .refine((a) => new Set(a.map((x) => x.id)).size === a.length, 'action ids must be unique')
    .optional()
    .meta({ description: 'Buttons shown with the message, rendered per recipient.' }),
};
const WebhookFields = { body: z.unknown().refine((v) => v !== undefined, 'body is required').meta({ description: 'Any JSON; every string leaf is a template.' }) };

export const EmailContent = z
  // `tracking` is per template, not per locale: it is not one of the overridable fields.
  .object({ ...EmailFields, tracking: z.boolean().optional().meta({ description: '`false`: no open pixel or click-tracking links in this template’s email (default: the tenant’s setting).' }) })
  .strict()
  .refine((c) => c.html !== undefined || c.text !== undefined, 'email needs html or text')
  .meta({ id: 'EmailTemplateContent' });
export const SmsTemplateContent = z.object(SmsFields).strict().meta({ id: 'SmsTemplateContent' });
export const ChatTemplateContent = z.object(ChatFields).strict().meta({ id: 'ChatTemplateContent' });
export const PushTemplateContent = z.object(PushFields).strict().meta({ id: 'PushTemplateContent' });
export const InappTemplateContent = z.object(InappFields).strict().meta({ id: 'InappTemplateContent' });
export const WebhookTemplateContent = z.object(WebhookFields).strict().meta({ id: 'WebhookTemplateContent' });

export const LocaleOverrides = z
  .object({
    email: z.object(EmailFields).partial().strict().optional(),
    sms: z.object(SmsFields).partial().strict().optional(),
    chat: z.object(ChatFields).partial().strict().optional(),
    push: z.object(PushFields).partial().strict().optional(),
    inapp: z.object(InappFields).partial().strict().optional(),
    webhook: z.object(WebhookFields).partial().strict().optional(),
  })
  .strict()
  .meta({ id: 'TemplateLocaleOverrides', description: "Fields replacing the default content's for this locale." });

const ChannelContents = {
  email: EmailContent.optional(),
  sms: SmsTemplateContent.optional(),
  chat: ChatTemplateContent.optional(),
  push: PushTemplateContent.optional(),
  inapp: InappTemplateContent.optional(),
  webhook: WebhookTemplateContent.optional(),
};
const TemplateDefinition = {
  ...ChannelContents,
  locales: z
    .record(Locale, LocaleOverrides)
    .optional()
    .meta({ description: 'Per-locale overrides; a recipient in zh-Hant-TW gets zh-Hant-TW, else zh-Hant, else zh, else the default.' }),
  variables: z.record(z.string(), z.unknown()).optional().meta({ description: 'JSON Schema of `data`.' }),
  recipientVariables: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({
      description:
        'JSON Schema of `recipient` (id, name, email, phone, locale, timezone, attributes; empty fields are absent), e.g. `{"required": ["name"]}`. A delivery to a user who does not satisfy it is suppressed with reason `missing_recipient_variables: …`.',
    }),
  exampleData: z.record(z.string(), z.unknown()).optional().meta({ description: 'Checked against `variables` and rendered at publish.' }),
};

export const TemplateRequest = z
  .object({
    name: z.string().max(200).optional(),
    category: z.string().min(1).max(64).optional(),
    defaultPriority: Priority.optional(),
    ...TemplateDefinition,
  })
  .strict()
  .refine((t) => CHANNELS.some((c) => t[c] !== undefined), 'a template needs content for at least one channel')
  .meta({ id: 'TemplateRequest' });

export const Template = z
  .object({
    key: z.string(),
    name: z.string().nullable(),
    category: z.string().nullable(),
    defaultPriority: Priority,
    channels: z.array(ChannelName),
    ...TemplateDefinition,
    publishedVersion: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Template' });

export const TemplateVersion = z
  .object({ key: z.string(), version: z.number().int(), createdAt: z.string() })
  .meta({ id: 'TemplateVersion' });

export const TemplateVersionDetail = z
  .object({
    key: z.string(),
    version: z.number().int(),
    category: z.string().nullable(),
    defaultPriority: Priority,
    channels: z.array(ChannelName),
    ...TemplateDefinition,
    createdAt: z.string(),
  })
  .meta({ id: 'TemplateVersionDetail' });

// Versions are PostgreSQL integers: a larger number is a 400, not an out-of-range 500.
export const VersionParam = z.object({ key: ClientId, version: z.coerce.number().int().min(1).max(2_147_483_647) });
export const RollbackRequest = z.object({ version: z.number().int().min(1).max(2_147_483_647) }).strict().meta({ id: 'RollbackRequest' });

export const PreviewRequest = z
  .object({
    data: z.record(z.string(), z.unknown()).default({}),
    locale: Locale.optional(),
    timezone: Timezone.optional(),
    channel: ChannelName.optional().meta({ description: 'Render only this channel; default all of the template.' }),
    version: z.number().int().min(1).max(2_147_483_647).optional().meta({ description: 'Render this published version instead of the draft.' }),
    recipient: z
      .union([
        z.object({ userId: ClientId }).strict(),
        z
          .object({
            id: ClientId.optional(),
            ...ProfileFields,
          })
          .strict(),
      ])
      .optional()
      .meta({
        description:
          'A sample recipient for `{{recipient.…}}`: `{userId}` (one of the tenant’s users, 404 otherwise) or a recipient written out. Its locale and time zone apply unless `locale`/`timezone` are given.',
      }),
  })
  .strict()
  .meta({ id: 'TemplatePreviewRequest' }) satisfies z.ZodType<PreviewOptions>;

const Problem = z.object({ channel: ChannelName, locale: z.string().nullable(), message: z.string() });

export const TemplatePreview = z
  .object({
    key: z.string(),
    version: z.number().int().nullable().meta({ description: 'null: the draft was rendered.' }),
    locale: z.string().nullable(),
    channels: z.object({
      email: z
        .object({ locale: z.string().nullable(), subject: z.string(), html: z.string().optional(), text: z.string().optional(), htmlBytes: z.number().int() })
        .optional(),
      sms: z
        .object({
          locale: z.string().nullable(),
          text: z.string(),
          encoding: z.enum(['GSM-7', 'UCS-2']),
          characters: z.number().int(),
          units: z.number().int(),
          segments: z.number().int(),
          providers: SmsProviderCodes.optional().meta({ description: 'The registered templates with their parameters rendered.' }),
        })
        .optional(),
      chat: z
        .object({
          locale: z.string().nullable(),
          title: z.string().optional(),
          markdown: z.string(),
          characters: z.number().int(),
          bytes: z.number().int(),
          tooLongFor: z.array(z.string()).meta({ description: 'Provider kinds that may carry it (the tenant’s, else every chat kind) and would refuse it.' }),
        })
        .optional(),
      push: z
        .object({
          locale: z.string().nullable(),
          title: z.string(),
          body: z.string(),
          url: z.string().optional(),
          icon: z.string().optional(),
          data: z.record(z.string(), z.string()).optional(),
          payloadBytes: z.number().int(),
          tooLongFor: z.array(z.string()).meta({ description: 'Provider kinds that may carry it (the tenant’s, else every push kind) and would refuse it.' }),
        })
        .optional(),
      inapp: z
        .object({ locale: z.string().nullable(), title: z.string(), body: z.string(), url: z.string().optional(), data: z.record(z.string(), z.unknown()).optional(), bytes: z.number().int() })
        .optional(),
      webhook: z.object({ locale: z.string().nullable(), body: z.unknown(), bytes: z.number().int() }).optional(),
    }),
    problems: z.array(Problem).meta({ description: 'Content that would not fit its channel; publish refuses these.' }),
  })
  .meta({ id: 'TemplatePreview' });

// What the domain renders must be what this schema documents (a compile-time check).
type Assignable<From extends To, To> = From;
export type PreviewChannelsMatch = Assignable<ChannelPreviews, z.infer<typeof TemplatePreview>['channels']>;
export type PreviewProblemsMatch = Assignable<DomainProblem, z.infer<typeof Problem>>;

export const TestSendRequest = z
  .object({
    email: z.email().max(320),
    data: z.record(z.string(), z.unknown()).default({}),
    locale: Locale.optional(),
    timezone: Timezone.optional(),
    version: z.number().int().min(1).max(2_147_483_647).optional().meta({ description: 'Default: the published version.' }),
  })
  .strict()
  .meta({ id: 'TemplateTestSendRequest' }) satisfies z.ZodType<TestSend>;

export const LayoutRequest = z
  .object({
    html: z
      .string()
      .max(1_000_000)
      .refine((h) => /\{\{\{\s*body\s*\}\}\}/.test(h), 'a layout must contain {{{body}}} where the email body goes'),
  })
  .strict()
  .meta({ id: 'LayoutRequest' });
export const Layout = z.object({ key: z.string(), html: z.string(), createdAt: z.string(), updatedAt: z.string() }).meta({ id: 'Layout' });
export const PartialRequest = z.object({ source: z.string().max(1_000_000) }).strict().meta({ id: 'PartialRequest' });
export const Partial = z.object({ key: z.string(), source: z.string(), createdAt: z.string(), updatedAt: z.string() }).meta({ id: 'Partial' });
