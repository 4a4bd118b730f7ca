// The shapes of Herald's API as the dashboard reads them: names over the types generated from
// /openapi.json (the SDK's schema.d.ts, written by `npm run generate:sdk`, checked in CI), so
// a server change the dashboard does not follow fails its type check instead of its users.
import type { components, paths } from '../../../sdk/src/schema.js';

type Schemas = components['schemas'];

/**
 * A value list that names every member of `U` and nothing else, checked at compile time: a
 * value the API adds (a new scope, a new status) fails the type check until it is listed.
 */
function allOf<U extends string>() {
  return <const L extends readonly U[]>(list: L & ([Exclude<U, L[number]>] extends [never] ? unknown : { missing: Exclude<U, L[number]> })): L => list;
}

// Value lists for selects and filters.
export const PRIORITIES = allOf<Schemas['Priority']>()(['high', 'medium', 'low']);
export type Priority = Schemas['Priority'];

export const CHANNELS = allOf<Schemas['Channel']>()(['email', 'sms', 'chat', 'push', 'inapp', 'webhook']);
export type Channel = Schemas['Channel'];

export const NOTIFICATION_STATUSES = allOf<NotificationStatus>()([
  'pending_approval',
  'rejected',
  'scheduled',
  'sending',
  'paused',
  'completed',
  'partially_failed',
  'failed',
  'expired',
  'cancelled',
]);
export type NotificationStatus = Schemas['Notification']['status'];

export const DELIVERY_STATUSES = allOf<DeliveryStatus>()(['pending', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'complained', 'suppressed', 'expired', 'recalled']);
export type DeliveryStatus = Schemas['Delivery']['status'];

export const SCOPES = allOf<Schemas['Scope']>()(['send', 'read', 'manage', 'approve', 'admin', 'system', 'scim']);
export type Scope = Schemas['Scope'];

export const SUMMARY_GROUP_BY = allOf<NonNullable<Schemas['AnalyticsSummary']['groupBy']>>()(['channel', 'priority', 'provider', 'template', 'status']);
export type SummaryGroupBy = (typeof SUMMARY_GROUP_BY)[number];

/** Every list answer: a page of items and the cursor of the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type DeliveryCounts = Schemas['DeliveryCounts'];
export type Notification = Schemas['Notification'];
export type Delivery = Schemas['Delivery'];
/** A delivery with its notification, as GET /v1/deliveries and GET /v1/users/{id}/deliveries list them. */
export type DeliveryLogEntry = Schemas['DeliveryLogEntry'];
export type DeliverySearch = NonNullable<paths['/v1/deliveries']['get']['parameters']['query']>;
/** Query of GET /v1/notifications; every field optional, empty ones are not sent. */
export type NotificationFilter = NonNullable<paths['/v1/notifications']['get']['parameters']['query']>;
export type EmailContent = Schemas['EmailTemplateContent'];
export type Template = Schemas['Template'];
export type TemplateVersion = Schemas['TemplateVersion'];
export type TemplatePreview = Schemas['TemplatePreview'];
export type PreviewChannels = TemplatePreview['channels'];
export type EmailPreview = NonNullable<PreviewChannels['email']>;
export type SmsPreview = NonNullable<PreviewChannels['sms']>;
export type ApiKey = Schemas['ApiKey'];
export type NewApiKey = Schemas['NewApiKey'];
export type AuditEntry = Schemas['AuditEntry'];
export type User = Schemas['User'];
/** PUT /v1/users/{id}: the whole recipient, memberships included. */
export type UserRequest = Schemas['UserRequest'];
export type ImportReport = Schemas['UserImportReport'];
export type Group = Schemas['GroupOrModule'];
export type Provider = Schemas['Provider'];
export type CircuitState = Provider['circuit']['state'];
export type ProviderRequest = Schemas['ProviderRequest'];
export type ProviderPatch = Schemas['ProviderPatch'];
export type Schedule = Schemas['Schedule'];
/** GET /v1/public/preferences: what the preference center shows (no key; a signed link). */
export type PreferenceCenter = Schemas['PreferenceCenter'];
/** A self-service topic as the tenant's admin sees it (with its subscriber count). */
export type Topic = Schemas['Topic'];
export type TopicRequest = Schemas['TopicRequest'];
/** GET /v1/tenant: the tenant's settings; PATCH /v1/tenant takes any of them (admin). */
export type TenantSettings = Schemas['Tenant'];
export type TenantPatch = Schemas['TenantPatch'];
export const INLINE_RECIPIENT_MODES = allOf<Schemas['InlineRecipientMode']>()(['directory', 'ephemeral']);
export type InlineRecipientMode = Schemas['InlineRecipientMode'];
export type LatencyPercentiles = Schemas['LatencyPercentiles'];
export type AnalyticsSummary = Schemas['AnalyticsSummary'];
export type SummaryBucket = AnalyticsSummary['buckets'][number];
/** GET /v1/me: who the signed-in key is. */
export type Me = Schemas['Me'];
/** GET /v1/notifications/{id}/audience: the dry run an approver decides on. */
export type AudienceSummary = Schemas['AudienceSummary'];
/** GET /v1/notifications/{id}/progress: the running workflow's own view. */
export type NotificationProgress = Schemas['NotificationProgress'];
/** One entry of GET /v1/notifications/{id}/events, oldest first. */
export type TimelineEntry = Schemas['TimelineEntry'];
export type RecallResult = Schemas['RecallResult'];
/** A webhook endpoint as reads show it: never its secret. */
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
/** The answer to create and rotate-secret, the only ones carrying the secret. */
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret'];
export type WebhookEndpointRequest = Schemas['WebhookEndpointRequest'];
export type WebhookEndpointPatch = Schemas['WebhookEndpointPatch'];
export type WebhookEventType = Schemas['WebhookEventType'];
/** One event of an endpoint and where its delivery stands. */
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookAttempt = Schemas['WebhookAttempt'];
export type WebhookRedelivery = Schemas['WebhookRedelivery'];

/**
 * GET /dev/mail: the development capture server's mail. Dev-only routes are not in the
 * production OpenAPI document the types are generated from, so this one is written here.
 */
export interface CapturedMail {
  id: number;
  receivedAt: string;
  envelopeFrom: string | null;
  envelopeTo: string[];
  messageId: string | null;
  subject: string;
  from: string;
  to: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
}
