// A worker-side periodic job: every `intervalSeconds`, start the run of notifications the API
// inserted but never started (domain/notifications/runless.ts). Every worker process sweeps;
// two sweeps of one row start one run (the workflow id is the notification id), so no leader
// is needed. A pass is never run twice at once in one process.
import { Client, type ConnectionLike } from '@temporalio/client';
import type { Logger } from '../common/logger.js';
import type { Timings } from '../common/config.js';
import { sweepRunlessNotifications, type RunlessSweepResult } from '../domain/notifications/runless.js';
import { createRuns } from '../domain/runs/runs.js';
import type { Db } from '../schema/database.js';

export interface RunlessSweeperOptions {
  db: Db;
  connection: ConnectionLike;
  namespace: string;
  taskQueuePrefix: string;
  timings: Timings;
  logger: Logger;
  /** Seconds between passes; 0 turns the sweeper off. */
  intervalSeconds: number;
  /** Rows younger than this are left alone: their API request may still be starting the run. */
  ageSeconds: number;
}

export interface RunlessSweeper {
  /** One pass now (also what the timer runs). */
  sweep(): Promise<RunlessSweepResult>;
  stop(): Promise<void>;
}

export function startRunlessSweeper(o: RunlessSweeperOptions): RunlessSweeper {
  const client = new Client({ connection: o.connection, namespace: o.namespace });
  const runs = createRuns({ client, namespace: o.namespace, taskQueuePrefix: o.taskQueuePrefix, uiUrl: '', timings: o.timings });
  let running: Promise<RunlessSweepResult> | undefined;
  const sweep = () =>
    (running ??= sweepRunlessNotifications({ db: o.db, runs }, { olderThanSeconds: o.ageSeconds }).finally(() => {
      running = undefined;
    }));
  const tick = () =>
    void sweep().then(
      (r) => {
        if (r.started.length + r.found.length + r.failed.length > 0) o.logger.warn({ started: r.started, found: r.found, failed: r.failed }, 'notifications without a run swept');
      },
      (err: unknown) => o.logger.warn({ err }, 'sweep of notifications without a run failed; the next pass retries'),
    );
  const timer = o.intervalSeconds > 0 ? setInterval(tick, o.intervalSeconds * 1000) : undefined;
  timer?.unref();
  return {
    sweep,
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
