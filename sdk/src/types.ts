// Names for the generated OpenAPI types. Schemas the server does not publish yet fall back to
// a hand-written shape; once the route lands and `npm run generate:sdk` runs, the generated
// schema wins and these become exact without a change here.
import type { components, paths } from './schema.js';

type Schemas = components['schemas'];
type SchemaOr<N extends string, Fallback> = N extends keyof Schemas ? Schemas[N] : Fallback;

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The JSON query parameters of an operation. */
export type QueryOf<P extends keyof paths, M extends Method> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** The JSON request body of an operation. */
export type BodyOf<P extends keyof paths, M extends Method> = Op<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type Notification = Schemas['Notification'];
export type NotificationRequest = Schemas['NotificationRequest'];
/** The wire takes any object as an item (one that is no BatchNotificationRequest is refused alone, 400 in its result); the SDK types its items as those that can be accepted. */
export type BatchRequest = { notifications: SchemaOr<'BatchNotificationRequest', NotificationRequest & { idempotencyKey: string }>[] };
export type BatchResult = SchemaOr<'BatchResult', { accepted: number; refused: number; results: { index: number; status: number; notification?: Notification; error?: Schemas['Error']['error'] }[] }>;
export type InlineRecipient = SchemaOr<'InlineRecipient', { id?: string; email?: string; phone?: string; name?: string; locale?: string; timezone?: string; data?: Record<string, unknown> }>;
export type NotificationStatus = Notification['status'];
export type NotificationListQuery = QueryOf<'/v1/notifications', 'get'>;
export type Delivery = Schemas['Delivery'];
/** One line of the delivery log: a delivery with its notification and template. */
export type DeliveryLogEntry = Schemas['DeliveryLogEntry'];
export type DeliverySearchQuery = QueryOf<'/v1/deliveries', 'get'>;
export type Template = Schemas['Template'];
export type TemplateRequest = Schemas['TemplateRequest'];
export type TemplateVersion = Schemas['TemplateVersion'];
export type TemplateVersionDetail = Schemas['TemplateVersionDetail'];
export type TemplatePreview = Schemas['TemplatePreview'];
export type TemplatePreviewRequest = Schemas['TemplatePreviewRequest'];
export type User = Schemas['User'];
export type UserRequest = Schemas['UserRequest'];
/** A self-service topic (a category users subscribe to themselves) with its subscriber count. */
export type Topic = Schemas['Topic'];
export type TopicRequest = Schemas['TopicRequest'];
/** A topic and whether one user is subscribed. */
export type TopicChoice = Schemas['TopicChoice'];
export type TopicSubscriber = Schemas['TopicSubscriber'];
export type ApiKey = Schemas['ApiKey'];
export type NewApiKey = Schemas['NewApiKey'];
export type ApiKeyRequest = Schemas['ApiKeyRequest'];
export type AuditEntry = Schemas['AuditEntry'];
export type Channel = Schemas['Channel'];
/** A webhook endpoint as every read shows it: never its secret. */
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
/** The answer to create and rotate-secret: the only time the secret is shown. */
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret'];
export type WebhookEndpointRequest = Schemas['WebhookEndpointRequest'];
export type WebhookEndpointPatch = Schemas['WebhookEndpointPatch'];
/** One event of an endpoint and where its delivery stands. */
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookAttempt = Schemas['WebhookAttempt'];
/** One event by its id, or every event of the endpoint in [from, to). */
export type WebhookRedelivery = Schemas['WebhookRedelivery'];
export type Priority = Schemas['Priority'];

export type ProviderRequest = SchemaOr<
  'ProviderRequest',
  {
    channel: Channel;
    kind: string;
    config: Record<string, unknown>;
    order?: number;
    rateLimit?: { perSecond: number; burst?: number } | null;
    enabled?: boolean;
  }
>;
export type Provider = SchemaOr<
  'Provider',
  {
    id: string;
    channel: Channel;
    kind: string;
    config: Record<string, unknown>;
    order: number;
    rateLimit: { perSecond: number; burst: number } | null;
    enabled: boolean;
    circuit: { state: 'closed' | 'open' | 'half_open'; consecutiveFailures: number; openedAt: string | null; lastError: string | null };
    createdAt: string;
    updatedAt: string;
  }
>;
export type UserImportReport = SchemaOr<
  'UserImportReport',
  { lines: number; imported: number; failed: number; errors: { line: number; id?: string; message: string }[]; errorsTruncated: boolean; ms: number }
>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The error body of every Herald error response. */
export type ErrorBody = Schemas['Error'];
