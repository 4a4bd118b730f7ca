// Typed functions for every endpoint the dashboard uses, one per call. Paths follow
// ../shared/design/API.md; endpoints that a server does not have yet answer 404, which the
// pages show as "not available on this server yet".
import type { Http, Query } from './http';
import type {
  AnalyticsSummary,
  ApiKey,
  AuditEntry,
  CapturedMail,
  Delivery,
  DeliveryLogEntry,
  DeliverySearch,
  AudienceSummary,
  Group,
  ImportReport,
  Me,
  NewApiKey,
  NotificationProgress,
  RecallResult,
  TimelineEntry,
  Notification,
  NotificationFilter,
  Page,
  PreferenceCenter,
  Topic,
  TopicRequest,
  Provider,
  ProviderPatch,
  ProviderRequest,
  Schedule,
  Scope,
  SummaryGroupBy,
  Template,
  TemplatePreview,
  TenantPatch,
  TenantSettings,
  TemplateVersion,
  User,
  UserRequest,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointPatch,
  WebhookEndpointRequest,
  WebhookEndpointWithSecret,
  WebhookRedelivery,
} from './types';
import type { SmsProviders } from '../pages/templates/smsCodesForm';

const enc = encodeURIComponent;

export interface TemplateDraft {
  name?: string;
  category?: string;
  defaultPriority?: string;
  email?: { subject: string; html?: string; text?: string; layout?: string };
  sms?: { text: string; providers?: SmsProviders };
  [channelOrField: string]: unknown;
}

export function createApi(http: Http) {
  return {
    // Notifications
    listNotifications: (f: NotificationFilter) => http.request<Page<Notification>>('GET', '/v1/notifications', { query: f as Query }),
    getNotification: (id: string) => http.request<Notification>('GET', `/v1/notifications/${enc(id)}`),
    listDeliveries: (id: string, cursor?: string) =>
      http.request<Page<Delivery>>('GET', `/v1/notifications/${enc(id)}/deliveries`, { query: { limit: 200, cursor } }),
    approveNotification: (id: string, comment: string) => http.request<Notification>('POST', `/v1/notifications/${enc(id)}/approve`, { body: comment ? { comment } : {} }),
    rejectNotification: (id: string, comment: string) => http.request<Notification>('POST', `/v1/notifications/${enc(id)}/reject`, { body: comment ? { comment } : {} }),

    cancelNotification: (id: string, reason: string) => http.request<Notification>('POST', `/v1/notifications/${enc(id)}/cancel`, { body: reason ? { reason } : {} }),
    pauseNotification: (id: string) => http.request<Notification>('POST', `/v1/notifications/${enc(id)}/pause`),
    resumeNotification: (id: string) => http.request<Notification>('POST', `/v1/notifications/${enc(id)}/resume`),
    resendNotification: (id: string, onlyFailed: boolean) => http.request<Notification>('POST', `/v1/notifications/${enc(id)}/resend`, { body: { onlyFailed } }),
    recallNotification: (id: string) => http.request<RecallResult>('POST', `/v1/notifications/${enc(id)}/recall`),
    updateNotification: (id: string, patch: { sendAt?: string | null; expiresAt?: string | null; data?: Record<string, unknown> }) =>
      http.request<Notification>('PATCH', `/v1/notifications/${enc(id)}`, { body: patch }),
    getAudience: (id: string) => http.request<AudienceSummary>('GET', `/v1/notifications/${enc(id)}/audience`),
    getProgress: (id: string) => http.request<NotificationProgress>('GET', `/v1/notifications/${enc(id)}/progress`),
    listEvents: (id: string, cursor?: string) => http.request<Page<TimelineEntry>>('GET', `/v1/notifications/${enc(id)}/events`, { query: { limit: 200, cursor } }),

    // Access of the signed-in key
    me: () => http.request<Me>('GET', '/v1/me'),
    getTenant: () => http.request<TenantSettings>('GET', '/v1/tenant'),
    patchTenant: (patch: TenantPatch) => http.request<TenantSettings>('PATCH', '/v1/tenant', { body: patch }),

    // Templates
    listTemplates: (cursor?: string) => http.request<Page<Template>>('GET', '/v1/templates', { query: { limit: 100, cursor } }),
    getTemplate: (key: string) => http.request<Template>('GET', `/v1/templates/${enc(key)}`),
    putTemplate: (key: string, draft: TemplateDraft) => http.request<Template>('PUT', `/v1/templates/${enc(key)}`, { body: draft }),
    publishTemplate: (key: string) => http.request<TemplateVersion>('POST', `/v1/templates/${enc(key)}/publish`),
    listTemplateVersions: (key: string) => http.request<Page<TemplateVersion>>('GET', `/v1/templates/${enc(key)}/versions`),
    previewTemplate: (key: string, req: { data: Record<string, unknown>; locale?: string; channel?: string; version?: number }) =>
      http.request<TemplatePreview>('POST', `/v1/templates/${enc(key)}/preview`, { body: req }),
    rollbackTemplate: (key: string, version: number) => http.request<TemplateVersion>('POST', `/v1/templates/${enc(key)}/rollback`, { body: { version } }),
    testSendTemplate: (key: string, req: { email: string; data: Record<string, unknown>; locale?: string; version?: number }) =>
      http.request<Notification>('POST', `/v1/templates/${enc(key)}/test-send`, { body: req }),

    // Recipients
    listUsers: (cursor?: string) => http.request<Page<User>>('GET', '/v1/users', { query: { limit: 100, cursor } }),
    getUser: (id: string) => http.request<User>('GET', `/v1/users/${enc(id)}`),
    putUser: (id: string, user: UserRequest) => http.request<User>('PUT', `/v1/users/${enc(id)}`, { body: user }),
    /** JSON lines, one PUT /v1/users body plus `id` per line. */
    importUsers: (jsonLines: string) => http.request<ImportReport>('POST', '/v1/users/import', { raw: { text: jsonLines, contentType: 'application/x-ndjson' } }),
    preferenceLink: (id: string) => http.request<{ url: string; token: string; expiresAt: string }>('POST', `/v1/users/${enc(id)}/preference-link`, { body: {} }),
    userDeliveries: (id: string, cursor?: string) =>
      http.request<Page<DeliveryLogEntry>>('GET', `/v1/users/${enc(id)}/deliveries`, { query: { limit: 50, cursor } }),
    searchDeliveries: (q: DeliverySearch) => http.request<Page<DeliveryLogEntry>>('GET', '/v1/deliveries', { query: q as Query }),
    listGroups: () => http.request<Page<Group>>('GET', '/v1/groups', { query: { limit: 200 } }),
    listModules: () => http.request<Page<Group>>('GET', '/v1/modules', { query: { limit: 200 } }),
    listTopics: (cursor?: string) => http.request<Page<Topic>>('GET', '/v1/topics', { query: { limit: 100, cursor } }),
    putTopic: (id: string, topic: TopicRequest) => http.request<Topic>('PUT', `/v1/topics/${enc(id)}`, { body: topic }),
    deleteTopic: (id: string) => http.request<void>('DELETE', `/v1/topics/${enc(id)}`),

    // Providers, schedules, analytics
    listProviders: () => http.request<Page<Provider>>('GET', '/v1/providers', { query: { limit: 200 } }),
    /** The API's own description; the provider editor reads each kind's config schema from it. */
    openApiDocument: () => http.request<unknown>('GET', '/openapi.json'),
    putProvider: (id: string, p: ProviderRequest) => http.request<Provider>('PUT', `/v1/providers/${enc(id)}`, { body: p }),
    patchProvider: (id: string, p: ProviderPatch) => http.request<Provider>('PATCH', `/v1/providers/${enc(id)}`, { body: p }),
    listSchedules: () => http.request<Page<Schedule>>('GET', '/v1/schedules', { query: { limit: 200 } }),
    setSchedulePaused: (id: string, paused: boolean) => http.request<Schedule>('PATCH', `/v1/schedules/${enc(id)}`, { body: { paused } }),
    approveSchedule: (id: string) => http.request<Schedule>('POST', `/v1/schedules/${enc(id)}/approve`),
    deleteSchedule: (id: string) => http.request<void>('DELETE', `/v1/schedules/${enc(id)}`),
    analyticsSummary: (q: { from: string; to: string; interval: 'hour' | 'day'; groupBy?: SummaryGroupBy }) =>
      http.request<AnalyticsSummary>('GET', '/v1/analytics/summary', { query: q }),

    // Webhook endpoints (the secret is in the answers of create and rotate only)
    listWebhooks: () => http.request<{ items: WebhookEndpoint[] }>('GET', '/v1/webhooks'),
    getWebhook: (id: string) => http.request<WebhookEndpoint>('GET', `/v1/webhooks/${enc(id)}`),
    createWebhook: (body: WebhookEndpointRequest) => http.request<WebhookEndpointWithSecret>('POST', '/v1/webhooks', { body }),
    patchWebhook: (id: string, patch: WebhookEndpointPatch) => http.request<WebhookEndpoint>('PATCH', `/v1/webhooks/${enc(id)}`, { body: patch }),
    deleteWebhook: (id: string) => http.request<void>('DELETE', `/v1/webhooks/${enc(id)}`),
    rotateWebhookSecret: (id: string) => http.request<WebhookEndpointWithSecret>('POST', `/v1/webhooks/${enc(id)}/rotate-secret`),
    listWebhookDeliveries: (id: string, cursor?: string) => http.request<Page<WebhookDelivery>>('GET', `/v1/webhooks/${enc(id)}/deliveries`, { query: { limit: 50, cursor } }),
    listWebhookAttempts: (id: string, cursor?: string) => http.request<Page<WebhookAttempt>>('GET', `/v1/webhooks/${enc(id)}/attempts`, { query: { limit: 50, cursor } }),
    redeliverWebhook: (id: string, which: WebhookRedelivery) => http.request<{ queued: number }>('POST', `/v1/webhooks/${enc(id)}/redeliver`, { body: which }),

    // Access
    listApiKeys: (cursor?: string) => http.request<Page<ApiKey>>('GET', '/v1/api-keys', { query: { limit: 200, cursor } }),
    createApiKey: (name: string, scopes: Scope[]) => http.request<NewApiKey>('POST', '/v1/api-keys', { body: { name, scopes } }),
    revokeApiKey: (id: string) => http.request<void>('DELETE', `/v1/api-keys/${enc(id)}`),
    listAudit: (cursor?: string) => http.request<Page<AuditEntry>>('GET', '/v1/audit-log', { query: { limit: 100, cursor } }),

    // Development
    listCapturedMail: () => http.request<{ items: CapturedMail[] }>('GET', '/v1/dev/mail', { query: { limit: 100 } }),
  };
}

export type Api = ReturnType<typeof createApi>;

/** The routes a recipient reaches with a signed link instead of an API key. */
export function createPublicApi(http: Http) {
  return {
    getPreferenceCenter: (token: string) => http.request<PreferenceCenter>('GET', '/v1/public/preferences', { query: { token } }),
    putPreferenceCenter: (token: string, change: { categories?: Record<string, Record<string, boolean>>; unsubscribed?: string[]; topics?: Record<string, boolean> }) =>
      http.request<PreferenceCenter>('PUT', '/v1/public/preferences', { query: { token }, body: change }),
  };
}
