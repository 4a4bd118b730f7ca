// A notification run's state: what its signals changed, its progress, and the activities it
// calls. Created once per run, before the first await, so no signal is ever missed.
import { proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { HeraldActivities } from '../../activities/index.js';
import type { Timings } from '../../common/config.js';
import {
  approveSignal,
  cancelSignal,
  pauseSignal,
  progressQuery,
  rejectSignal,
  rescheduleSignal,
  resumeSignal,
  type Cancellation,
  type Decision,
  type NotificationWorkflowInput,
  type Progress,
} from '../../domain/runs/definitions.js';

function runActivities(t: Timings) {
  const retry = { initialInterval: t.retryInitialMs, backoffCoefficient: 2, maximumInterval: t.retryMaxIntervalMs };
  return {
    bookkeeping: proxyActivities<HeraldActivities>({ startToCloseTimeout: '30 seconds', retry }),
    delivery: proxyActivities<HeraldActivities>({ startToCloseTimeout: t.deliveryTimeoutMs, retry: { ...retry, maximumAttempts: t.retryMaxAttempts } }),
    // A batch sends many messages and heartbeats on a timer, so a dead worker is noticed in seconds.
    batch: proxyActivities<HeraldActivities>({
      startToCloseTimeout: Math.max(t.deliveryTimeoutMs * 4, 10 * 60_000),
      heartbeatTimeout: t.batchHeartbeatTimeoutMs ?? 20_000,
      retry,
    }),
    // Single sends due now keep their bookkeeping inside the workflow task: three fewer trips through the task queue.
    local: proxyLocalActivities<HeraldActivities>({ startToCloseTimeout: '30 seconds', retry }),
  };
}

export type RunActivities = ReturnType<typeof runActivities>;

/** What the signals set; the phases read it. */
export interface RunState {
  /** Epoch ms; 0 = now. Moved by the reschedule signal. */
  sendAt: number;
  /** Epoch ms; Infinity = never. */
  expiresAt: number;
  /** How many reschedules arrived: a wait for the send time starts over when it changes. */
  rescheduled: number;
  decision: { approved: boolean; by: Decision } | undefined;
  cancelled: Cancellation | undefined;
  paused: boolean;
}

export interface Run {
  input: NotificationWorkflowInput;
  acts: RunActivities;
  state: RunState;
  progress: Progress;
  /** Bulk sends: users per audience page, deliveries per batch, sends in flight per batch, batches in flight. */
  bulk: { pageSize: number; batchSize: number; concurrency: number; parallelBatches: number; historyLimit: number };
}

const epochOr = (iso: string | null, otherwise: number) => (iso ? Date.parse(iso) : otherwise);

function initialState(input: NotificationWorkflowInput): RunState {
  return {
    sendAt: epochOr(input.sendAt, 0),
    expiresAt: epochOr(input.expiresAt, Infinity),
    rescheduled: 0,
    // A continued run was approved by the run before it.
    decision: input.resume ? { approved: true, by: { by: input.resume.decidedBy ?? 'earlier run' } } : undefined,
    cancelled: undefined,
    paused: input.resume?.paused ?? false,
  };
}

function initialProgress(input: NotificationWorkflowInput): Progress {
  const resume = input.resume;
  return {
    phase: resume ? 'sending' : 'validating',
    paused: resume?.paused ?? false,
    cancelled: false,
    approved: Boolean(resume),
    usersPrepared: resume?.usersPrepared ?? 0,
    pagesDone: resume?.pagesDone ?? 0,
    runsContinued: resume?.runsContinued ?? 0,
  };
}

function listen(state: RunState, progress: Progress): void {
  setHandler(approveSignal, (by) => {
    state.decision ??= { approved: true, by };
  });
  setHandler(rejectSignal, (by) => {
    state.decision ??= { approved: false, by };
  });
  setHandler(cancelSignal, (c) => {
    state.cancelled ??= c;
  });
  setHandler(pauseSignal, () => {
    state.paused = true;
  });
  setHandler(resumeSignal, () => {
    state.paused = false;
  });
  setHandler(rescheduleSignal, (r) => {
    state.sendAt = epochOr(r.sendAt, 0);
    state.expiresAt = epochOr(r.expiresAt, Infinity);
    state.rescheduled += 1;
  });
  setHandler(progressQuery, () => ({ ...progress, paused: state.paused, cancelled: Boolean(state.cancelled), approved: state.decision?.approved ?? false, decidedBy: state.decision?.by.by ?? null }));
}

export function startRun(input: NotificationWorkflowInput): Run {
  const t = input.timings;
  const state = initialState(input);
  const progress = initialProgress(input);
  listen(state, progress);
  return {
    input,
    acts: runActivities(t),
    state,
    progress,
    bulk: {
      pageSize: t.bulkPageSize ?? 1000,
      batchSize: t.bulkBatchSize ?? 200,
      concurrency: t.bulkConcurrency ?? 25,
      parallelBatches: t.bulkParallelBatches ?? 4,
      historyLimit: t.historyLimit ?? 4000,
    },
  };
}
