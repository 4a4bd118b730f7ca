// Everything a run is, in one place: the workflow types, their inputs and results, their
// signals and queries, the task queues, the search attributes, and ONE builder per workflow
// kind of its start options. The API, the activities and the workflows (for startChild) all
// start runs through these builders, so a start cannot drift from another start of the same
// kind. Pure — no I/O, no Node built-ins: the workflow bundle imports it.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type WorkflowIdReusePolicy } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Channel } from '../../channels/types.js';
import type { Timings } from '../../common/config.js';
import type { Priority } from '../../common/priorities.js';
import type { DirectorySyncReport } from '../../schema/tables/directory.js';
import type { EscalationPlan, NotificationRow } from '../../schema/tables/notifications.js';
import type { DeliveryCounts, NotificationKind, NotificationStatus } from '../../schema/tables/statuses.js';
import type { RecallFailure } from '../delivery/recall.js';

// ---------------------------------------------------------------------------------------
// Task queues: the high / medium / low topics of the event hub.

export function taskQueueFor(priority: Priority, prefix: string): string {
  return `${prefix}-${priority}`;
}

/** What every start needs from configuration, fixed at start so replays see the same values. */
export interface RunSettings {
  taskQueuePrefix: string;
  timings: Timings;
}

// ---------------------------------------------------------------------------------------
// Search attributes, so the Temporal Web UI filters runs the way the dashboard filters notifications.

export const SA_TENANT = defineSearchAttributeKey('HeraldTenant', SearchAttributeType.KEYWORD);
export const SA_PRIORITY = defineSearchAttributeKey('HeraldPriority', SearchAttributeType.KEYWORD);
export const SA_STATUS = defineSearchAttributeKey('HeraldStatus', SearchAttributeType.KEYWORD);
export const SA_KIND = defineSearchAttributeKey('HeraldKind', SearchAttributeType.KEYWORD);
export const SA_CATEGORY = defineSearchAttributeKey('HeraldCategory', SearchAttributeType.KEYWORD);
export const SA_TEMPLATE = defineSearchAttributeKey('HeraldTemplate', SearchAttributeType.KEYWORD);

export const HERALD_SEARCH_ATTRIBUTES = [SA_TENANT, SA_PRIORITY, SA_STATUS, SA_KIND, SA_CATEGORY, SA_TEMPLATE];

// ---------------------------------------------------------------------------------------
// The workflow types Herald runs (the names workers register and clients start).

export const WORKFLOW_TYPES = {
  notification: 'notificationWorkflow',
  scheduledSend: 'scheduledSendWorkflow',
  digest: 'digestWorkflow',
  directorySync: 'directorySyncWorkflow',
  recall: 'recallWorkflow',
} as const;

// ---------------------------------------------------------------------------------------
// The notification run: one notification, single or bulk.

export interface NotificationWorkflowInput {
  tenantId: string;
  notificationId: string;
  /** ISO time to send at; null = now. */
  sendAt: string | null;
  /** ISO time after which nothing is delivered; null = never. */
  expiresAt: string | null;
  /** Retry and timeout settings, fixed at start so replays see the same values. */
  timings: Timings;
  /** `bulk` waits for approval and is delivered in pages. */
  kind: NotificationKind;
  priority: Priority;
  escalation: EscalationPlan | null;
  /** Set by continue-as-new: where a bulk run left off. */
  resume?: ResumeState;
}

export interface NotificationWorkflowResult {
  status: NotificationStatus;
  counts: DeliveryCounts | null;
  reason?: string;
}

export type NotificationWorkflow = (input: NotificationWorkflowInput) => Promise<NotificationWorkflowResult>;

/** What a continued-as-new bulk run carries over. */
export interface ResumeState {
  cursor: string | null;
  pagesDone: number;
  usersPrepared: number;
  paused: boolean;
  runsContinued: number;
  /** Who approved the campaign (the progress query names the decider in every run of the chain). */
  decidedBy?: string | undefined;
}

export interface Decision {
  by: string;
  comment?: string;
}

export interface Cancellation {
  by: string;
  reason?: string;
}

export interface Reschedule {
  sendAt: string | null;
  expiresAt: string | null;
}

export type Phase = 'validating' | 'pending_approval' | 'scheduled' | 'waiting_window' | 'sending' | 'retrying' | 'escalating' | 'done';

export interface Progress {
  phase: Phase;
  paused: boolean;
  cancelled: boolean;
  approved: boolean;
  /** The key whose decision the run holds (approve or reject), null while it waits; answered by the query only. */
  decidedBy?: string | null;
  usersPrepared: number;
  pagesDone: number;
  runsContinued: number;
}

/** How a run that waited for an approver in vain is rejected; the finalizer tells it from other rejections by this. */
const APPROVAL_TIMEOUT_REASON = 'not approved within ';
export function approvalTimeoutReason(timeoutMs: number): string {
  return `${APPROVAL_TIMEOUT_REASON}${Math.round(timeoutMs / 1000)} s`;
}
export function isApprovalTimeout(reason: string | null | undefined): boolean {
  return reason?.startsWith(APPROVAL_TIMEOUT_REASON) ?? false;
}

export const approveSignal = defineSignal<[Decision]>('approve');
export const rejectSignal = defineSignal<[Decision]>('reject');
export const cancelSignal = defineSignal<[Cancellation]>('cancel');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const rescheduleSignal = defineSignal<[Reschedule]>('reschedule');
export const progressQuery = defineQuery<Progress>('progress');

/** The facts of a stored notification that its run starts from. */
export interface NotificationRun {
  tenantId: string;
  notificationId: string;
  kind: NotificationKind;
  priority: Priority;
  status: NotificationStatus;
  category: string | null;
  template: string;
  sendAt: string | null;
  expiresAt: string | null;
  escalation: EscalationPlan | null;
}

export function notificationRunOf(row: NotificationRow): NotificationRun {
  return {
    tenantId: row.tenant_id,
    notificationId: row.id,
    kind: row.kind as NotificationKind,
    priority: row.priority as Priority,
    status: row.status as NotificationStatus,
    category: row.category,
    template: row.template_key,
    sendAt: row.send_at?.toISOString() ?? null,
    expiresAt: row.expires_at?.toISOString() ?? null,
    escalation: row.escalation,
  };
}

/** The start options of a start shared by the client (workflow.start) and workflows (startChild). */
export interface RunStart<Args extends unknown[]> {
  workflowId: string;
  taskQueue: string;
  args: Args;
  workflowIdReusePolicy?: WorkflowIdReusePolicy;
  typedSearchAttributes?: SearchAttributePair[];
}

/** The one way a notification's run is started: by the API, a schedule's firing or a digest. */
export function notificationStart(run: NotificationRun, settings: RunSettings): RunStart<[NotificationWorkflowInput]> {
  const { tenantId, notificationId, sendAt, expiresAt, kind, priority, escalation } = run;
  return {
    // The notification id: a replayed request finds the run it already started.
    workflowId: notificationId,
    taskQueue: taskQueueFor(priority, settings.taskQueuePrefix),
    args: [{ tenantId, notificationId, sendAt, expiresAt, timings: settings.timings, kind, priority, escalation }],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: SA_TENANT, value: tenantId },
      { key: SA_PRIORITY, value: priority },
      { key: SA_STATUS, value: run.status },
      { key: SA_KIND, value: kind },
      { key: SA_CATEGORY, value: run.category ?? '' },
      { key: SA_TEMPLATE, value: run.template },
    ],
  };
}

// ---------------------------------------------------------------------------------------
// A recurring send: one firing of a Temporal Schedule creates one notification.

export interface ScheduledSendInput extends RunSettings {
  tenantId: string;
  scheduleId: string;
}

export interface ScheduledSendResult {
  notificationId: string | null;
  skipped?: string;
}

export type ScheduledSendWorkflow = (input: ScheduledSendInput) => Promise<ScheduledSendResult>;

export function scheduledSendScheduleId(tenantId: string, scheduleId: string): string {
  return `herald-schedule:${tenantId}:${scheduleId}`;
}

/** What a recurring send's schedule starts at each firing (Temporal names each firing's run). */
export function scheduledSendAction(tenantId: string, scheduleId: string, settings: RunSettings): Omit<RunStart<[ScheduledSendInput]>, 'workflowId'> {
  return {
    // Firings are light: they create the notification, whose own run takes its priority queue.
    taskQueue: taskQueueFor('high', settings.taskQueuePrefix),
    args: [{ tenantId, scheduleId, taskQueuePrefix: settings.taskQueuePrefix, timings: settings.timings }],
  };
}

// ---------------------------------------------------------------------------------------
// A digest: events of one key for one user, collected over a window, sent as one notification.

export interface DigestEvent {
  data: Record<string, unknown>;
  at: string;
}

export interface DigestInput extends RunSettings {
  tenantId: string;
  userId: string;
  key: string;
  template: string;
  windowMs: number;
  channels: Channel[] | null;
  priority: Priority | null;
  /** Carried over by continue-as-new: the listed events, how many more were only counted, the flushes so far and when the open window closes (ISO). */
  pending?: DigestEvent[];
  overflow?: number;
  flushes?: number;
  flushAt?: string;
}

export interface DigestState {
  pending: number;
  flushes: number;
}

export type DigestWorkflow = (input: DigestInput) => Promise<{ flushes: number }>;

export const digestEventSignal = defineSignal<[DigestEvent]>('digestEvent');
export const digestStateQuery = defineQuery<DigestState>('digestState');

/** The digest's run, joined by signal-with-start: the first event starts it, the rest join it. */
export function digestStart(input: DigestInput): RunStart<[DigestInput]> {
  return {
    workflowId: `herald-digest:${input.tenantId}:${input.userId}:${input.key}`,
    taskQueue: taskQueueFor(input.priority ?? 'low', input.taskQueuePrefix),
    args: [input],
  };
}

// ---------------------------------------------------------------------------------------
// A directory (LDAP / AD) sync of one tenant, on demand or on the tenant's schedule.

export interface DirectorySyncInput {
  tenantId: string;
  /** Given by the API for on-demand syncs; scheduled firings get one from the workflow. */
  syncId?: string | undefined;
  trigger: 'manual' | 'schedule';
}

export interface DirectorySyncResult {
  syncId: string;
  status: string;
  report: DirectorySyncReport | null;
  skipped?: string;
}

export type DirectorySyncWorkflow = (input: DirectorySyncInput) => Promise<DirectorySyncResult>;

export function directorySyncScheduleId(tenantId: string): string {
  return `herald-directory-sync:${tenantId}`;
}

/** A sync is background work: it runs on the low queue so it never takes slots from urgent notifications. */
export function directorySyncStart(tenantId: string, syncId: string, taskQueuePrefix: string): RunStart<[DirectorySyncInput]> {
  return {
    workflowId: `herald-directory-sync:${tenantId}:${syncId}`,
    taskQueue: taskQueueFor('low', taskQueuePrefix),
    args: [{ tenantId, syncId, trigger: 'manual' }],
  };
}

export function directorySyncAction(tenantId: string, taskQueuePrefix: string): Omit<RunStart<[DirectorySyncInput]>, 'workflowId'> {
  return { taskQueue: taskQueueFor('low', taskQueuePrefix), args: [{ tenantId, trigger: 'schedule' }] };
}

// ---------------------------------------------------------------------------------------
// A recall: taking back what a notification sent through providers that can.

export interface RecallWorkflowInput {
  tenantId: string;
  notificationId: string;
  /** Retry settings, fixed at start so replays see the same values. */
  timings: Timings;
}

export interface RecallWorkflowResult {
  recalled: number;
  failed: number;
  /** The first failures with their reasons (all of them up to this many). */
  failures: RecallFailure[];
}

export type RecallWorkflow = (input: RecallWorkflowInput) => Promise<RecallWorkflowResult>;

/** On the high queue; a second recall while one runs joins it, a later one runs again for what is still sent. */
export function recallStart(tenantId: string, notificationId: string, settings: RunSettings): RunStart<[RecallWorkflowInput]> & { workflowIdConflictPolicy: 'USE_EXISTING' } {
  return {
    workflowId: `${notificationId}:recall`,
    taskQueue: taskQueueFor('high', settings.taskQueuePrefix),
    args: [{ tenantId, notificationId, timings: settings.timings }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [{ key: SA_TENANT, value: tenantId }],
  };
}
