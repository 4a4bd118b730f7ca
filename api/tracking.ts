// The API's side of tracking: the tracker its routes record with (receipts, recall, opens,
// clicks), and the one place that says where reads which may lag the primary go.
import { createTracker, type Tracker } from '../domain/tracking/tracker.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Db } from '../schema/database.js';
import type { AppDeps } from './deps.js';

export function apiTracker(deps: AppDeps): Tracker {
  // Writes go to the primary: the log is read back right after (the timeline of a message).
  return createTracker({ db: deps.db, logger: deps.logger });
}

export interface LaggingReads {
  db: Db;
  analytics: AnalyticsStore | undefined;
}

/**
 * Reads that may be a moment behind the primary: the analytics summary and its PostgreSQL
 * side tables (opt-outs). Pointing them at a read replica is this one function.
 */
export function laggingReads(deps: AppDeps): LaggingReads {
  return { db: deps.dbRead ?? deps.db, analytics: deps.analytics };
}
