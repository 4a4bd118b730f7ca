// Request and response schemas shared by routes, validation and /openapi.json.
import { z } from 'zod';
import { PRIORITIES } from '../common/priorities.js';
import { CHANNELS, DELIVERY_STATUSES, NOTIFICATION_KINDS, NOTIFICATION_STATUSES } from '../common/statuses.js';

/** Client-chosen ids (users, templates, groups…): URL-safe, bounded. */
export const ClientId = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'use letters, digits and . _ : @ -');
export const IsoDateTime = z.iso.datetime({ offset: true }).meta({ description: 'ISO-8601 date-time with offset', example: '2026-11-26T19:30:00+08:00' });
export const Priority = z.enum(PRIORITIES).meta({ id: 'Priority' });
export const ChannelName = z.enum(CHANNELS).meta({ id: 'Channel' });

export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const IdParam = z.object({ id: z.string().min(1).max(128) });
export const KeyParam = z.object({ key: ClientId });

export const Audience = z
  .object({
    userIds: z.array(ClientId).min(1).max(1000).meta({ description: 'Target users by their ids (de-duplicated).' }),
  })
  .strict()
  .meta({ id: 'Audience' });

export const NotificationRequest = z
  .object({
    template: ClientId.meta({ description: 'Template key; its published version is used unless templateVersion is given.' }),
    templateVersion: z.number().int().min(1).optional(),
    to: Audience,
    data: z.record(z.string(), z.unknown()).default({}),
    priority: Priority.optional().meta({ description: "Defaults to the template's defaultPriority." }),
    channels: z.array(ChannelName).min(1).max(6).optional().meta({ description: "Restrict/order channels; default = the template's channels." }),
    category: z.string().min(1).max(64).optional(),
    sendAt: IsoDateTime.optional(),
    expiresAt: IsoDateTime.optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
  })
  .strict()
  .meta({ id: 'NotificationRequest' });

export const Counts = z
  .object({
    total: z.number().int(),
    pending: z.number().int(),
    sent: z.number().int(),
    delivered: z.number().int(),
    failed: z.number().int(),
    suppressed: z.number().int(),
    expired: z.number().int(),
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

const Timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone');

const Locale = z.string().min(2).max(35).refine((l) => {
  try {
    return Intl.getCanonicalLocales(l).length === 1;
  } catch {
    return false;
  }
}, 'not a BCP 47 locale tag');

export const UserRequest = z
  .object({
    name: z.string().max(200).nullable().optional(),
    email: z.email().max(320).nullable().optional(),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be E.164, e.g. +8613800138000').nullable().optional(),
    locale: Locale.nullable().optional(),
    timezone: Timezone.nullable().optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .meta({ id: 'UserRequest' });

export const User = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });

export const EmailContent = z
  .object({
    subject: z.string().min(1).max(998),
    html: z.string().max(1_000_000).optional(),
    text: z.string().max(1_000_000).optional(),
  })
  .strict()
  .refine((c) => c.html !== undefined || c.text !== undefined, 'email needs html or text')
  .meta({ id: 'EmailTemplateContent' });

export const TemplateRequest = z
  .object({
    name: z.string().max(200).optional(),
    category: z.string().min(1).max(64).optional(),
    defaultPriority: Priority.optional(),
    email: EmailContent,
  })
  .strict()
  .meta({ id: 'TemplateRequest' });

export const Template = z
  .object({
    key: z.string(),
    name: z.string().nullable(),
    category: z.string().nullable(),
    defaultPriority: Priority,
    channels: z.array(ChannelName),
    email: EmailContent.optional(),
    publishedVersion: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Template' });

export const TemplateVersion = z
  .object({ key: z.string(), version: z.number().int(), createdAt: z.string() })
  .meta({ id: 'TemplateVersion' });
