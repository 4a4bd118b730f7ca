import type { Kysely, Transaction } from 'kysely';
import type { ApiKeysTable } from './tables/api-keys.js';
import type { AuditLogTable } from './tables/audit-log.js';
import type { DeliveriesTable } from './tables/deliveries.js';
import type { DeliveryEventsTable } from './tables/delivery-events.js';
import type { NotificationsTable } from './tables/notifications.js';
import type { ProviderHealthTable, ProvidersTable } from './tables/providers.js';
import type { TemplateAssetsTable } from './tables/template-assets.js';
import type { TemplatesTable, TemplateVersionsTable } from './tables/templates.js';
import type { TenantsTable } from './tables/tenants.js';
import type { UsersTable } from './tables/users.js';

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
  providers: ProvidersTable;
  provider_health: ProviderHealthTable;
}

export type Db = Kysely<Database>;
/** Query functions take either the pool or a transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
