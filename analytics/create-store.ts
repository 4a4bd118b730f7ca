// Chooses the analytics back end from configuration: ClickHouse when a URL is given,
// otherwise the PostgreSQL the rest of Herald already uses.
import type { Logger } from '../common/logger.js';
import type { Db } from '../schema/database.js';
import { createClickHouseStore, type ClickHouseStoreOptions } from './clickhouse-store.js';
import { createPostgresStore } from './postgres-store.js';
import type { AnalyticsStore } from './store.js';

export interface AnalyticsStoreDeps {
  clickhouseUrl?: string | undefined;
  db: Db;
  logger: Logger;
  /** Tuning for the ClickHouse store (database, TTL, timeouts). */
  clickhouse?: Omit<ClickHouseStoreOptions, 'url' | 'logger'> | undefined;
}

export function createAnalyticsStore(deps: AnalyticsStoreDeps): AnalyticsStore {
  if (deps.clickhouseUrl) {
    return createClickHouseStore({ ...deps.clickhouse, url: deps.clickhouseUrl, logger: deps.logger });
  }
  return createPostgresStore({ db: deps.db });
}
