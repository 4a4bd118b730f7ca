// The shapes of Herald's API (see /openapi.json), as the dashboard reads them.

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CHANNELS = ['email', 'sms', 'chat', 'push', 'inapp', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export const NOTIFICATION_STATUSES = [
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
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'suppressed', 'expired', 'recalled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const SCOPES = ['send', 'read', 'manage', 'approve', 'admin', 'system'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface DeliveryCounts {
  total: number;
  pending: number;
  sent: number;
  delivered: number;
  failed: number;
  /** Sent, then returned as undeliverable (a hard bounce). */
  bounced: number;
  suppressed: number;
  expired: number;
  /** Sent, then taken back by the sender. */
  recalled: number;
}

export interface Notification {
  id: string;
  status: NotificationStatus;
  statusReason: string | null;
  kind: 'single' | 'bulk';
  priority: Priority;
  category: string | null;
  template: { key: string; version: number };
  to: { userIds?: string[]; groups?: string[]; modules?: string[]; all?: boolean };
  channels: Channel[];
  data: Record<string, unknown>;
  idempotencyKey: string | null;
  sendAt: string | null;
  expiresAt: string | null;
  counts: DeliveryCounts;
  workflow: { workflowId: string; runId: string | null; temporalUiUrl: string };
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface Delivery {
  id: string;
  userId: string;
  channel: Channel;
  address: string | null;
  provider: string | null;
  status: DeliveryStatus;
  attempts: number;
  reason: string | null;
  errorCode: string | null;
  messageId: string;
  providerMessageId: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
}

/** Query of GET /v1/notifications; every field optional, empty ones are not sent. */
export interface NotificationFilter {
  status?: string;
  priority?: string;
  channel?: string;
  category?: string;
  template?: string;
  userId?: string;
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface EmailContent {
  subject: string;
  html?: string;
  text?: string;
  layout?: string;
}

export interface Template {
  key: string;
  name: string | null;
  category: string | null;
  defaultPriority: Priority;
  channels: Channel[];
  email?: EmailContent;
  sms?: unknown;
  chat?: unknown;
  push?: unknown;
  inapp?: unknown;
  webhook?: unknown;
  locales?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  exampleData?: Record<string, unknown>;
  publishedVersion: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateVersion {
  key: string;
  version: number;
  createdAt: string;
}

export interface EmailPreview {
  locale: string | null;
  subject: string;
  html?: string;
  text?: string;
  htmlBytes: number;
}

export interface SmsPreview {
  locale: string | null;
  text: string;
  encoding: 'GSM-7' | 'UCS-2';
  characters: number;
  units: number;
  segments: number;
}

export interface PreviewChannels {
  email?: EmailPreview;
  sms?: SmsPreview;
  chat?: { locale: string | null; markdown: string; characters: number; bytes: number; tooLongFor: string[] };
  push?: { locale: string | null; title: string; body: string; payloadBytes: number; encryptedBytes: number; maxBytes: number };
  inapp?: { locale: string | null; title: string; body: string; bytes: number };
  webhook?: { locale: string | null; body: unknown; bytes: number };
}

export interface TemplatePreview {
  key: string;
  version: number | null;
  locale: string | null;
  channels: PreviewChannels;
  problems: { channel: Channel; locale: string | null; message: string }[];
}

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

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface NewApiKey extends ApiKey {
  key: string;
}

export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
  at: string;
}

export interface User {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  groups?: string[];
  modules?: string[];
  identities?: Record<string, unknown>;
  source?: 'api' | 'scim' | 'ldap';
  active?: boolean;
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** PUT /v1/users/{id}: the whole recipient, memberships included. */
export interface UserRequest {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  locale?: string | null;
  timezone?: string | null;
  attributes?: Record<string, unknown>;
  identities?: Record<string, unknown>;
  groups?: string[];
  modules?: string[];
}

export interface ImportReport {
  lines: number;
  imported: number;
  failed: number;
  errors: { line: number; id?: string; message: string }[];
  errorsTruncated: boolean;
  ms: number;
}

export interface Group {
  id: string;
  name?: string | null;
  members?: number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface Provider {
  id: string;
  channel: Channel;
  kind: string;
  order: number;
  enabled: boolean;
  rateLimit: { perSecond: number; burst: number } | null;
  circuit: { state: CircuitState; consecutiveFailures: number; openedAt: string | null; lastError: string | null };
  /** Redacted by the server: secrets come back as "[redacted]", URLs without credentials or path. */
  config: Record<string, unknown>;
}

export interface ProviderRequest {
  channel: Channel;
  kind: string;
  config: Record<string, unknown>;
  order: number;
  rateLimit: { perSecond: number; burst?: number } | null;
  enabled: boolean;
}

export interface ProviderPatch {
  config?: Record<string, unknown>;
  order?: number;
  rateLimit?: { perSecond: number; burst?: number } | null;
  enabled?: boolean;
}

export interface Schedule {
  id: string;
  cron: string | null;
  everySeconds: number | null;
  timezone: string;
  paused: boolean;
  nextFireTimes: string[];
  notification?: { template?: string } & Record<string, unknown>;
}

/** GET /v1/public/preferences: what the preference center shows (no key; a signed link). */
export interface PreferenceCenter {
  name: string | null;
  channels: Channel[];
  categories: { category: string; mandatory: boolean; channels: Record<string, boolean> }[];
  unsubscribed: string[];
  expiresAt: string;
}

export const SUMMARY_GROUP_BY = ['channel', 'priority', 'provider', 'template', 'status'] as const;
export type SummaryGroupBy = (typeof SUMMARY_GROUP_BY)[number];

export interface LatencyPercentiles {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface SummaryBucket {
  start: string;
  group: string | null;
  counts: Record<string, number>;
  total: number;
  deliveryRate: number | null;
  latency: LatencyPercentiles;
}

export interface AnalyticsSummary {
  buckets: SummaryBucket[];
}

/** GET /v1/me: who the signed-in key is. */
export interface Me {
  tenantId: string;
  keyId: string;
  scopes: Scope[];
}

/** GET /v1/notifications/{id}/audience: the dry run an approver decides on. */
export interface AudienceSummary {
  users: number;
  usersReached: number;
  channels: Record<string, { send: number; deferred: number; suppressed: Record<string, number> }>;
  suppressed: Record<string, number>;
  estimatedSeconds: number;
}

/** GET /v1/notifications/{id}/progress: the running workflow's own view. */
export interface NotificationProgress {
  phase: string;
  paused: boolean;
  cancelled: boolean;
  approved: boolean;
  usersPrepared: number;
  pagesDone: number;
  runsContinued: number;
}

/** One entry of GET /v1/notifications/{id}/events, oldest first. */
export interface TimelineEntry {
  id: string;
  at: string;
  event: string;
  deliveryId: string | null;
  userId: string | null;
  channel: string | null;
  provider: string | null;
  attempt: number | null;
  reason: string | null;
  errorCode: string | null;
  details: unknown;
}

export interface RecallResult {
  recalled: number;
  notRecallable: { channel: string; count: number }[];
}
