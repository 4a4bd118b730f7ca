// Notifications without a run: the API inserts the row, then starts its run, then records the
// run id. A process killed between the insert and the start leaves a row that would wait as
// `scheduled` (or `pending_approval`) for ever. The sweeper (workers/runless-sweeper.ts) finds
// such rows once they are older than any request could take, and starts their run; the
// workflow id is the notification id, so a run the API did start is found, not started twice.
import { isDependencyDown } from '../../common/dependency-down.js';
import { inTransaction, type Db } from '../../schema/database.js';
import { findRunlessNotifications, setNotificationRunIds, setNotificationStatus } from '../../schema/queries/notifications.js';
import { emitNotificationEvents } from '../events/notification-events.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import { notificationRunOf } from '../runs/definitions.js';
import type { Runs } from '../runs/runs.js';

export interface RunlessSweepDeps {
  db: Db;
  runs: Pick<Runs, 'startNotification' | 'notificationRunId'>;
}

export interface RunlessSweepResult {
  /** Rows whose run this sweep started. */
  started: string[];
  /** Rows whose run existed already (the API started it, then stopped before recording it). */
  found: string[];
  /** Rows that will never run, marked failed with the reason. */
  failed: string[];
}

/**
 * One pass over rows older than `olderThanSeconds` with no run recorded. A Temporal outage
 * ends the pass (the next one retries); a row that cannot run is marked failed, never retried for ever.
 */
export async function sweepRunlessNotifications(deps: RunlessSweepDeps, opts: { olderThanSeconds: number; limit?: number }): Promise<RunlessSweepResult> {
  const now = Date.now();
  const rows = await findRunlessNotifications(deps.db, new Date(now - opts.olderThanSeconds * 1000), opts.limit ?? 100);
  const result: RunlessSweepResult = { started: [], found: [], failed: [] };
  for (const row of rows) {
    if (row.expires_at && row.expires_at.getTime() <= now) {
      await markFailed(deps, row, `its run was never started, and it expired at ${row.expires_at.toISOString()}`);
      result.failed.push(row.id);
      continue;
    }
    try {
      const outcome = await startOrFind(deps, row);
      result[outcome].push(row.id);
    } catch (err) {
      if (isDependencyDown(err)) throw err;
      await markFailed(deps, row, `its run could not be started: ${err instanceof Error ? err.message : String(err)}`);
      result.failed.push(row.id);
    }
  }
  return result;
}

async function startOrFind(deps: RunlessSweepDeps, row: NotificationRow): Promise<'started' | 'found'> {
  const started = await deps.runs.startNotification(notificationRunOf(row));
  const runId = started ?? (await deps.runs.notificationRunId(row.id));
  if (runId === null) throw new Error('Temporal reports the run as both started and missing');
  // Started here: the creation is audited now, as the API would have with the run id.
  const audit = started
    ? { tenantId: row.tenant_id, actor: row.created_by ?? 'system', action: 'notification.create', targetType: 'notification', targetId: row.id, details: { startedBy: 'sweeper' } }
    : undefined;
  await setNotificationRunIds(deps.db, [{ id: row.id, runId, audit }]);
  return started ? 'started' : 'found';
}

async function markFailed(deps: RunlessSweepDeps, row: NotificationRow, reason: string): Promise<void> {
  // The outcome, with its webhook event, for a notification no run will ever finish.
  await inTransaction(deps.db, async (tx) => {
    await setNotificationStatus(tx, row.id, 'failed', { reason, completedAt: new Date() });
    await emitNotificationEvents(tx, row.tenant_id, [{ type: 'notification.completed', notificationId: row.id, status: 'failed', reason, counts: {} }]);
  });
}
