import type { Kysely, Transaction } from 'kysely';
import type { ApiKeysTable } from './tables/api-keys.js';
import type { AuditLogTable } from './tables/audit-log.js';
import type { DeliveriesTable } from './tables/deliveries.js';
import type { DeliveryEventsTable } from './tables/delivery-events.js';
import type { DeliveryLogTable } from './tables/delivery-log.js';
import type { InboxMessagesTable } from './tables/inbox-messages.js';
import type { NotificationsTable } from './tables/notifications.js';
import type { SchedulesTable } from './tables/schedules.js';
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

export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  templates: TemplatesTable;
  template_versions: TemplateVersionsTable;
  template_assets: TemplateAssetsTable;
  notifications: NotificationsTable;
  deliveries: DeliveriesTable;
  audit_log: AuditLogTable;
  delivery_events: DeliveryEventsTable;
  delivery_log: DeliveryLogTable;
  providers: ProvidersTable;
  provider_health: ProviderHealthTable;
  inbox_messages: InboxMessagesTable;
  rate_buckets: RateBucketsTable;
  tenant_usage: TenantUsageTable;
  otp_codes: OtpCodesTable;
  schedules: SchedulesTable;
  groups: GroupsTable;
  user_groups: UserGroupsTable;
  modules: ModulesTable;
  user_modules: UserModulesTable;
  category_settings: CategorySettingsTable;
  preferences: PreferencesTable;
  preference_events: PreferenceEventsTable;
  user_policies: UserPoliciesTable;
  unsubscribes: UnsubscribesTable;
  frequency_slots: FrequencySlotsTable;
}

export type Db = Kysely<Database>;
/** Query functions take either the pool or a transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
