export { createHeraldClient, parseRetryAfter, type HeraldClient, type HeraldClientOptions, type RequestOptions } from './client.js';
export { HeraldApiError, isHeraldApiError } from './errors.js';
export type {
  ApiKey,
  ApiKeyRequest,
  AuditEntry,
  Channel,
  Delivery,
  ErrorBody,
  NewApiKey,
  Notification,
  NotificationListQuery,
  NotificationRequest,
  NotificationStatus,
  Page,
  Priority,
  Provider,
  ProviderRequest,
  Template,
  TemplatePreview,
  TemplatePreviewRequest,
  TemplateRequest,
  TemplateVersion,
  TemplateVersionDetail,
  User,
  UserImportReport,
  UserRequest,
} from './types.js';
export type { components, paths } from './schema.js';
