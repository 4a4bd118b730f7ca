import type { Kysely, Transaction } from 'kysely';
import type { ApiKeysTable } from './tables/api-keys.js';
import type { AuditLogTable } from './tables/audit-log.js';
import type { DeliveriesTable } from './tables/deliveries.js';
import type { DeliveryEventsTable } from './tables/delivery-events.js';
import type { DeliveryLogTable } from './tables/delivery-log.js';
import type { InboxMessagesTable } from './tables/inbox-messages.js';
import type { InboxSigningKeysTable } from './tables/inbox-signing-keys.js';
import type { NotificationsTable } from './tables/notifications.js';
import type { NotificationDeliveryCountsTable } from './tables/notification-delivery-counts.js';
import type { NotificationRecipientsTable } from './tables/notification-recipients.js';
import type { NotificationAttachmentsTable, NotificationEmailTable } from './tables/notification-email.js';
import type { ScheduleFiringsTable, SchedulesTable } from './tables/schedules.js';
import type { OtpCodesTable } from './tables/otp-codes.js';
import type { RateBucketsTable, TenantUsageTable } from './tables/rate-limits.js';
import type { ProviderHealthTable, ProvidersTable } from './tables/providers.js';
import type { TemplateAssetsTable } from './tables/template-assets.js';
import type { TemplatesTable, TemplateVersionsTable } from './tables/templates.js';
import type { TenantsTable } from './tables/tenants.js';
import type { UsersTable } from './tables/users.js';
import type { GroupsTable, UserGroupsTable } from './tables/groups.js';
import type { ModulesTable, UserModulesTable } from './tables/modules.js';
import type { CategorySettingsTable } from './tables/category-settings.js';
import type { PreferencesTable } from './tables/preferences.js';
import type { PreferenceEventsTable } from './tables/preference-events.js';
import type { UserPoliciesTable } from './tables/user-policies.js';
import type { UnsubscribesTable } from './tables/unsubscribes.js';
import type { FrequencySlotsTable } from './tables/frequency-slots.js';
import type { EmailSuppressionsTable } from './tables/email-suppressions.js';
import type { EarlyReceiptsTable } from './tables/early-receipts.js';
import type { ReadReceiptPollsTable } from './tables/read-receipt-polls.js';
import type { EventOutboxTable } from './tables/event-outbox.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './tables/webhooks.js';
import type { IdempotencyKeysTable } from './tables/idempotency-keys.js';
import type { TopicSubscriptionsTable, TopicsTable } from './tables/topics.js';
import type { DirectoryConfigsTable, DirectorySyncChangesTable, DirectorySyncEntriesTable, DirectorySyncsTable } from './tables/directory.js';

export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  templates: TemplatesTable;
  template_versions: TemplateVersionsTable;
  template_assets: TemplateAssetsTable;
  notifications: NotificationsTable;
  notification_recipients: NotificationRecipientsTable;
  notification_email: NotificationEmailTable;
  notification_attachments: NotificationAttachmentsTable;
  deliveries: DeliveriesTable;
  notification_delivery_counts: NotificationDeliveryCountsTable;
  audit_log: AuditLogTable;
  delivery_events: DeliveryEventsTable;
  delivery_log: DeliveryLogTable;
  early_receipts: EarlyReceiptsTable;
  read_receipt_polls: ReadReceiptPollsTable;
  event_outbox: EventOutboxTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
  providers: ProvidersTable;
  provider_health: ProviderHealthTable;
  inbox_messages: InboxMessagesTable;
  inbox_signing_keys: InboxSigningKeysTable;
  rate_buckets: RateBucketsTable;
  tenant_usage: TenantUsageTable;
  otp_codes: OtpCodesTable;
  schedules: SchedulesTable;
  schedule_firings: ScheduleFiringsTable;
  groups: GroupsTable;
  user_groups: UserGroupsTable;
  modules: ModulesTable;
  user_modules: UserModulesTable;
  category_settings: CategorySettingsTable;
  preferences: PreferencesTable;
  preference_events: PreferenceEventsTable;
  user_policies: UserPoliciesTable;
  unsubscribes: UnsubscribesTable;
  topics: TopicsTable;
  topic_subscriptions: TopicSubscriptionsTable;
  frequency_slots: FrequencySlotsTable;
  email_suppressions: EmailSuppressionsTable;
  directory_configs: DirectoryConfigsTable;
  directory_syncs: DirectorySyncsTable;
  directory_sync_entries: DirectorySyncEntriesTable;
  directory_sync_changes: DirectorySyncChangesTable;
}

export type Db = Kysely<Database>;
/** Query functions take either the pool or a transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;

/** Runs `fn` in a transaction of its own, or in the caller's when `db` already is one. */
export function inTransaction<T>(db: DbOrTx, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<Database>) : db.transaction().execute(fn);
}
