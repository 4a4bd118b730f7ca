// The one gateway to Temporal for the API and the activities: starting, signalling and querying
// runs, and the schedules that start them. Start options come only from the builders in
// definitions.ts. Failures that mean something to a caller become domain errors (a finished
// run, a schedule that exists, a bad cron); an unreachable Temporal surfaces as it is, so a
// caller that must undo a write can tell (common/dependency-down.ts) and the API answers 503.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  type Client,
  type ScheduleDescription,
  type ScheduleSpec,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Timings } from '../../common/config.js';
import { conflict, unprocessable } from '../errors.js';
import {
  approveSignal,
  cancelSignal,
  digestEventSignal,
  digestStart,
  directorySyncAction,
  directorySyncScheduleId,
  directorySyncStart,
  notificationStart,
  pauseSignal,
  progressQuery,
  recallStart,
  rejectSignal,
  rescheduleSignal,
  resumeSignal,
  scheduledSendAction,
  scheduledSendScheduleId,
  WORKFLOW_TYPES,
  type Cancellation,
  type Decision,
  type DigestEvent,
  type DigestInput,
  type DigestWorkflow,
  type DirectorySyncWorkflow,
  type NotificationRun,
  type NotificationWorkflow,
  type Progress,
  type RecallWorkflow,
  type RecallWorkflowResult,
  type Reschedule,
  type RunSettings,
} from './definitions.js';

export interface RunsDeps {
  client: Client;
  namespace: string;
  taskQueuePrefix: string;
  /** Base URL of the Temporal Web UI, for links to a run. */
  uiUrl: string;
  timings: Timings;
}

/** When and how a recurring schedule fires. */
export interface Recurrence {
  cron: string | null;
  everySeconds: number | null;
  timezone: string;
  paused: boolean;
}

export type OverlapPolicy = 'skip' | 'buffer_one' | 'allow_all';

const OVERLAP = { skip: ScheduleOverlapPolicy.SKIP, buffer_one: ScheduleOverlapPolicy.BUFFER_ONE, allow_all: ScheduleOverlapPolicy.ALLOW_ALL } as const;

/** While Temporal is unreachable a caller should hear so in seconds, not wait out the SDK's own retries. */
const START_DEADLINE_MS = 5000;

function specOf(r: Recurrence, defaultEverySeconds: number): ScheduleSpec {
  return r.cron ? { cronExpressions: [r.cron], timezone: r.timezone } : { intervals: [{ every: (r.everySeconds ?? defaultEverySeconds) * 1000 }] };
}

/** Temporal refuses a spec it cannot read with a message naming it: the caller's 422. */
function scheduleRefused(err: unknown, id: string): unknown {
  if (err instanceof ScheduleAlreadyRunning) return conflict('schedule_exists', `schedule ${id} already exists`);
  if (err instanceof Error && /cron|spec|invalid/i.test(err.message)) return unprocessable('invalid_schedule', err.message);
  return err;
}

async function describeOrNone(client: Client, scheduleId: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

async function deleteIfPresent(client: Client, scheduleId: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

function notificationRuns(client: Client, settings: RunSettings) {
  /** A signal to a run that has ended is the caller's conflict, not a failure. */
  async function toRun<T>(notificationId: string, act: (h: WorkflowHandle<NotificationWorkflow>) => Promise<T>): Promise<T> {
    try {
      return await act(client.workflow.getHandle<NotificationWorkflow>(notificationId));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw conflict('not_running', 'this notification’s run has already finished');
      throw err;
    }
  }
  return {
    /** Starts a notification's run; the first run id, or null when the run already exists (a replayed request). */
    async startNotification(run: NotificationRun): Promise<string | null> {
      try {
        const handle = await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
          client.workflow.start<NotificationWorkflow>(WORKFLOW_TYPES.notification, notificationStart(run, settings)),
        );
        return handle.firstExecutionRunId;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return null;
        throw err;
      }
    },
    /** The run id of a notification's workflow (its latest run), or null when it has none. */
    async notificationRunId(notificationId: string): Promise<string | null> {
      try {
        return (await client.workflow.getHandle(notificationId).describe()).runId;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      }
    },
    // A decision holds its row's lock until Temporal took the signal (domain/notifications/approval.ts): bounded.
    approve: (id: string, d: Decision) => toRun(id, (h) => client.withDeadline(Date.now() + START_DEADLINE_MS, () => h.signal(approveSignal, d))),
    reject: (id: string, d: Decision) => toRun(id, (h) => client.withDeadline(Date.now() + START_DEADLINE_MS, () => h.signal(rejectSignal, d))),
    cancel: (id: string, c: Cancellation) => toRun(id, (h) => h.signal(cancelSignal, c)),
    pause: (id: string) => toRun(id, (h) => h.signal(pauseSignal)),
    resume: (id: string) => toRun(id, (h) => h.signal(resumeSignal)),
    reschedule: (id: string, r: Reschedule) => toRun(id, (h) => h.signal(rescheduleSignal, r)),
    progress: (id: string): Promise<Progress> => toRun(id, (h) => h.query(progressQuery)),
  };
}

function recallRuns(client: Client, settings: RunSettings) {
  return {
    /**
     * Starts (or joins) the recall of a notification. `result(waitMs)` is the recall's result,
     * or undefined when it has not finished by then: the wait is the call's deadline, so no
     * call is left polling after the answer.
     */
    async startRecall(
      tenantId: string,
      notificationId: string,
    ): Promise<{ workflowId: string; runId: string; result: (waitMs: number) => Promise<RecallWorkflowResult | undefined> }> {
      const options = recallStart(tenantId, notificationId, settings);
      const handle = await client.withDeadline(Date.now() + START_DEADLINE_MS, () => client.workflow.start<RecallWorkflow>(WORKFLOW_TYPES.recall, options));
      const result = async (waitMs: number) => {
        const deadline = Date.now() + waitMs;
        try {
          return await client.withDeadline(deadline, () => handle.result());
        } catch (err) {
          // Past the wait, whatever ended the call (the deadline, reported by gRPC as such or as a
          // cancelled call) means the same: the recall has not finished yet.
          if (isGrpcDeadlineError(err) || isGrpcCancelledError(err) || Date.now() >= deadline) return undefined;
          throw err;
        }
      };
      return { workflowId: options.workflowId, runId: handle.firstExecutionRunId, result };
    },
  };
}

function digestRuns(client: Client, settings: RunSettings) {
  return {
    /** Adds an event to the user's open digest for the key, starting the digest if none is open; its workflow id. */
    async signalDigest(digest: Omit<DigestInput, keyof RunSettings>, event: DigestEvent): Promise<string> {
      const options = digestStart({ ...digest, ...settings });
      await client.workflow.signalWithStart<DigestWorkflow, [DigestEvent]>(WORKFLOW_TYPES.digest, { ...options, signal: digestEventSignal, signalArgs: [event] });
      return options.workflowId;
    },
  };
}

function scheduledSendRuns(client: Client, settings: RunSettings) {
  return {
    async createScheduledSend(tenantId: string, scheduleId: string, when: Recurrence, overlap: OverlapPolicy): Promise<void> {
      try {
        await client.schedule.create({
          scheduleId: scheduledSendScheduleId(tenantId, scheduleId),
          spec: specOf(when, 60),
          action: { type: 'startWorkflow', workflowType: WORKFLOW_TYPES.scheduledSend, ...scheduledSendAction(tenantId, scheduleId, settings) },
          policies: { overlap: OVERLAP[overlap], catchupWindow: '1 minute' },
          state: { paused: when.paused },
        });
      } catch (err) {
        throw scheduleRefused(err, scheduleId);
      }
    },
    describeScheduledSend: (tenantId: string, scheduleId: string) => describeOrNone(client, scheduledSendScheduleId(tenantId, scheduleId)),
    async pauseScheduledSend(tenantId: string, scheduleId: string, paused: boolean, note: string): Promise<void> {
      const handle = client.schedule.getHandle(scheduledSendScheduleId(tenantId, scheduleId));
      await (paused ? handle.pause(note) : handle.unpause(note));
    },
    deleteScheduledSend: (tenantId: string, scheduleId: string) => deleteIfPresent(client, scheduledSendScheduleId(tenantId, scheduleId)),
  };
}

function directorySyncRuns(client: Client, taskQueuePrefix: string) {
  return {
    /** Starts an on-demand sync; a sync id already started is the caller's conflict. Its workflow id. */
    async startDirectorySync(tenantId: string, syncId: string): Promise<string> {
      const options = directorySyncStart(tenantId, syncId, taskQueuePrefix);
      try {
        await client.workflow.start<DirectorySyncWorkflow>(WORKFLOW_TYPES.directorySync, options);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict('sync_in_progress', 'that sync already started');
        throw err;
      }
      return options.workflowId;
    },
    /** The schedule follows the configuration: replaced on every change, removed with it (null). */
    async replaceDirectorySyncSchedule(tenantId: string, when: Recurrence | null): Promise<void> {
      await deleteIfPresent(client, directorySyncScheduleId(tenantId));
      if (!when) return;
      try {
        await client.schedule.create({
          scheduleId: directorySyncScheduleId(tenantId),
          spec: specOf(when, 3600),
          action: { type: 'startWorkflow', workflowType: WORKFLOW_TYPES.directorySync, ...directorySyncAction(tenantId, taskQueuePrefix) },
          // Two syncs of one directory at once would only fight over the same rows.
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
          state: { paused: when.paused },
        });
      } catch (err) {
        throw scheduleRefused(err, directorySyncScheduleId(tenantId));
      }
    },
    describeDirectorySyncSchedule: (tenantId: string) => describeOrNone(client, directorySyncScheduleId(tenantId)),
  };
}

export function createRuns(deps: RunsDeps) {
  const { client, namespace, uiUrl } = deps;
  const settings: RunSettings = { taskQueuePrefix: deps.taskQueuePrefix, timings: deps.timings };
  return {
    ...notificationRuns(client, settings),
    ...recallRuns(client, settings),
    ...digestRuns(client, settings),
    ...scheduledSendRuns(client, settings),
    ...directorySyncRuns(client, settings.taskQueuePrefix),
    /** The run's page in the Temporal Web UI; without a run id, the workflow's latest run. */
    temporalUiUrl(workflowId: string, runId: string | null = null): string {
      const base = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
      return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
    },
  };
}

export type Runs = ReturnType<typeof createRuns>;
