// The life of one notification. Orchestration only: every side effect is an activity,
// every wait is a Temporal timer, so a run survives any process restart.
import {
  ActivityFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import type { Timings } from '../common/config.js';
import { SA_STATUS } from '../domain/runs/search-attributes.js';
import type { DeliveryCounts, NotificationStatus } from '../schema/tables/statuses.js';

export interface NotificationWorkflowInput {
  tenantId: string;
  notificationId: string;
  /** ISO time to send at; null = now. */
  sendAt: string | null;
  /** ISO time after which nothing is delivered; null = never. */
  expiresAt: string | null;
  /** Retry and timeout settings, fixed at start so replays see the same values. */
  timings: Timings;
  /** `bulk` waits for approval and is delivered in pages (absent in runs from before v2). */
  kind?: 'single' | 'bulk';
  priority?: string;
  escalation?: { afterSeconds: number; channels: string[]; until: 'delivered' | 'read' } | null;
  /** Set by continue-as-new: where a bulk run left off. */
  resume?: ResumeState;
}

export interface NotificationWorkflowResult {
  status: NotificationStatus;
  counts: DeliveryCounts | null;
  reason?: string;
}

function activitiesFor(t: Timings) {
  const bookkeeping = proxyActivities<HeraldActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: t.retryInitialMs, backoffCoefficient: 2, maximumInterval: t.retryMaxIntervalMs },
  });
  const delivery = proxyActivities<HeraldActivities>({
    startToCloseTimeout: t.deliveryTimeoutMs,
    retry: {
      initialInterval: t.retryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: t.retryMaxIntervalMs,
      maximumAttempts: t.retryMaxAttempts,
    },
  });
  return { bookkeeping, delivery };
}

function setStatusAttribute(status: NotificationStatus): void {
  upsertSearchAttributes([{ key: SA_STATUS, value: status }]);
}

function failureReason(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** The run as it was before orchestration v2; kept so runs (and histories) from then replay. */
async function legacyRun(input: NotificationWorkflowInput): Promise<NotificationWorkflowResult> {
  const { tenantId, notificationId } = input;
  const { bookkeeping, delivery } = activitiesFor(input.timings);
  const expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : Infinity;

  // Deliveries that quiet hours defer, and until when; filled once the plan exists.
  let notBefore: Record<string, string> = {};

  async function deliverOne(deliveryId: string): Promise<void> {
    const until = notBefore[deliveryId];
    if (until !== undefined) {
      // Durable, so a deferral of hours survives restarts; never past the expiry, where the
      // delivery attempt records the row as expired instead of sending late.
      const wait = Math.min(Date.parse(until), expiresAt) - Date.now();
      if (wait > 0) await sleep(wait);
    }
    try {
      await delivery.deliver({ tenantId, deliveryId });
    } catch (err) {
      // The activity records permanent failures itself; this also covers retries running
      // out and timeouts, which only the workflow sees.
      log.warn('delivery failed', { deliveryId, reason: failureReason(err) });
      await bookkeeping.failDelivery({ deliveryId, reason: failureReason(err) });
    }
  }

  if (input.sendAt) {
    const wait = Date.parse(input.sendAt) - Date.now();
    if (wait > 0) await sleep(wait); // a durable timer: survives restarts of everything
  }

  const plan = await bookkeeping.prepareNotification({ tenantId, notificationId });
  if (!plan.ok) {
    await bookkeeping.setNotificationStatus({ tenantId, notificationId, status: 'rejected', reason: plan.reason });
    setStatusAttribute('rejected');
    return { status: 'rejected', counts: null, reason: plan.reason };
  }
  setStatusAttribute('sending');
  // Histories recorded before quiet hours existed have no deferral timers; the patch keeps them replaying.
  if (patched('quiet-hours-deferral')) notBefore = plan.notBefore ?? {};

  if (Date.now() >= expiresAt) {
    await bookkeeping.expireNotification({ tenantId, notificationId });
  } else {
    await Promise.all(plan.deliveryIds.map(deliverOne));
  }

  const outcome = await bookkeeping.finalizeNotification({ tenantId, notificationId });
  setStatusAttribute(outcome.status);
  return { status: outcome.status, counts: outcome.counts };
}

// ---------------------------------------------------------------------------------------
// Orchestration v2: validation, maker-checker approval, reschedulable send time, send
// windows, single and paged bulk delivery, pause/resume/cancel, retry rounds, escalation.

export const approveSignal = defineSignal<[Decision]>('approve');
export const rejectSignal = defineSignal<[Decision]>('reject');
export const cancelSignal = defineSignal<[{ by: string; reason?: string }]>('cancel');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const rescheduleSignal = defineSignal<[{ sendAt: string | null; expiresAt: string | null }]>('reschedule');
export const progressQuery = defineQuery<Progress>('progress');

export interface Decision {
  by: string;
  comment?: string;
}

export interface Progress {
  phase: Phase;
  paused: boolean;
  cancelled: boolean;
  approved: boolean;
  usersPrepared: number;
  pagesDone: number;
  runsContinued: number;
}

type Phase = 'validating' | 'pending_approval' | 'scheduled' | 'waiting_window' | 'sending' | 'retrying' | 'escalating' | 'done';

/** What a continued-as-new bulk run carries over. */
export interface ResumeState {
  cursor: string | null;
  pagesDone: number;
  usersPrepared: number;
  paused: boolean;
  runsContinued: number;
}

function orchestrationActivities(t: Timings) {
  const { bookkeeping, delivery } = activitiesFor(t);
  const batch = proxyActivities<HeraldActivities>({
    // A batch sends many messages; it heartbeats on a timer (since the patch; before, every
    // 20 sends, which a slow provider could hold up), so a dead worker is noticed in seconds.
    startToCloseTimeout: Math.max(t.deliveryTimeoutMs * 4, 10 * 60_000),
    heartbeatTimeout: patched('batch-heartbeat-timer') ? (t.batchHeartbeatTimeoutMs ?? 20_000) : '60 seconds',
    retry: { initialInterval: t.retryInitialMs, backoffCoefficient: 2, maximumInterval: t.retryMaxIntervalMs },
  });
  return { bookkeeping, delivery, batch };
}

async function orchestrate(input: NotificationWorkflowInput): Promise<NotificationWorkflowResult> {
  const { tenantId, notificationId, timings } = input;
  const { bookkeeping, delivery, batch } = orchestrationActivities(timings);
  const pageSize = timings.bulkPageSize ?? 1000;
  const batchSize = timings.bulkBatchSize ?? 200;
  const concurrency = timings.bulkConcurrency ?? 25;
  const parallelBatches = timings.bulkParallelBatches ?? 4;
  const historyLimit = timings.historyLimit ?? 4000;
  const resume = input.resume;

  let sendAt = input.sendAt ? Date.parse(input.sendAt) : 0;
  let expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : Infinity;
  let rescheduled = 0;
  let decision: { approved: boolean; d: Decision } | undefined = resume ? { approved: true, d: { by: 'earlier run' } } : undefined;
  let cancelled: { by: string; reason?: string } | undefined;
  let paused = resume?.paused ?? false;
  const progress: Progress = {
    phase: resume ? 'sending' : 'validating',
    paused,
    cancelled: false,
    approved: Boolean(resume),
    usersPrepared: resume?.usersPrepared ?? 0,
    pagesDone: resume?.pagesDone ?? 0,
    runsContinued: resume?.runsContinued ?? 0,
  };

  setHandler(approveSignal, (d) => {
    decision ??= { approved: true, d };
  });
  setHandler(rejectSignal, (d) => {
    decision ??= { approved: false, d };
  });
  setHandler(cancelSignal, (c) => {
    cancelled ??= c;
  });
  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });
  setHandler(rescheduleSignal, (r) => {
    sendAt = r.sendAt ? Date.parse(r.sendAt) : 0;
    expiresAt = r.expiresAt ? Date.parse(r.expiresAt) : Infinity;
    rescheduled += 1;
  });
  setHandler(progressQuery, () => ({ ...progress, paused, cancelled: Boolean(cancelled), approved: decision?.approved ?? false }));

  async function status(s: NotificationStatus, reason?: string): Promise<void> {
    await bookkeeping.setNotificationStatus({ tenantId, notificationId, status: s, ...(reason ? { reason } : {}) });
    setStatusAttribute(s);
  }

  async function finishCancelled(): Promise<NotificationWorkflowResult> {
    const reason = `cancelled by ${cancelled?.by ?? 'unknown'}${cancelled?.reason ? `: ${cancelled.reason}` : ''}`;
    await batch.cancelUnsent({ notificationId, reason });
    await status('cancelled', reason);
    progress.phase = 'done';
    return { status: 'cancelled', counts: null, reason };
  }

  async function finishRejected(reason: string): Promise<NotificationWorkflowResult> {
    await status('rejected', reason);
    progress.phase = 'done';
    return { status: 'rejected', counts: null, reason };
  }

  /** Waits up to `ms` unless cancelled (or `also` becomes true); true when cancelled. */
  async function waitOrCancel(ms: number, also: () => boolean = () => false): Promise<boolean> {
    if (ms > 0) await condition(() => Boolean(cancelled) || also(), ms);
    return Boolean(cancelled);
  }

  /** Holds while paused; true when cancelled. */
  async function holdWhilePaused(): Promise<boolean> {
    if (paused && !cancelled) {
      await status('paused');
      await condition(() => !paused || Boolean(cancelled));
      if (!cancelled) await status('sending');
    }
    return Boolean(cancelled);
  }

  // Single sends due now (since v3): the bookkeeping around the one delivery activity runs as
  // local activities inside the workflow task — three fewer trips through the task queue.
  if (input.kind !== 'bulk' && !resume && sendAt <= Date.now() && patched('single-send-local-bookkeeping')) {
    return sendSingleNow();
  }

  if (!resume) {
    // 1. Validate: the rules only checkable now.
    const valid = await batch.validateNotification({ tenantId, notificationId });
    if (!valid.ok) return finishRejected(valid.reason);

    // 2. Approve: bulk sends wait for a checker's signal, or are rejected on timeout.
    if (input.kind === 'bulk') {
      progress.phase = 'pending_approval';
      setStatusAttribute('pending_approval');
      const decided = await condition(() => decision !== undefined || Boolean(cancelled), valid.approvalTimeoutMs);
      if (cancelled) return finishCancelled();
      if (!decided || !decision) return finishRejected(`not approved within ${Math.round(valid.approvalTimeoutMs / 1000)} s`);
      if (!decision.approved) return finishRejected(`rejected by ${decision.d.by}${decision.d.comment ? `: ${decision.d.comment}` : ''}`);
      progress.approved = true;
    }

    // 3. Wait for the send time; a reschedule signal moves it while waiting.
    progress.phase = 'scheduled';
    for (;;) {
      const wait = sendAt - Date.now();
      if (wait <= 0) break;
      await status('scheduled');
      const seen = rescheduled;
      if (await waitOrCancel(wait, () => rescheduled !== seen)) return finishCancelled();
    }

    // 4. Low-priority bulk sends wait for the tenant's send window.
    if (input.kind === 'bulk' && input.priority === 'low') {
      progress.phase = 'waiting_window';
      const delay = await batch.sendWindowDelay({ tenantId });
      if (delay > 0) {
        await status('scheduled', 'waiting for the tenant send window');
        if (await waitOrCancel(delay)) return finishCancelled();
      }
    }
  }

  if (cancelled) return finishCancelled();
  progress.phase = 'sending';
  await status('sending');
  if (Date.now() >= expiresAt) {
    await bookkeeping.expireNotification({ tenantId, notificationId });
    return finish();
  }

  if (input.kind !== 'bulk') {
    // Single sends: one activity per delivery, each with its own retries: lowest latency.
    const plan = await bookkeeping.prepareNotification({ tenantId, notificationId });
    if (!plan.ok) return finishRejected(plan.reason);
    await deliverSingles(plan);
    if (cancelled) return finishCancelled();
  } else {
    // Bulk: page through the audience; each page's due rows go out in batch activities.
    let cursor = resume?.cursor ?? null;
    let first = !resume;
    while (first || cursor !== null) {
      first = false;
      if (await holdWhilePaused()) return finishCancelled();
      const page = await batch.preparePage({ tenantId, notificationId, cursor, pageSize });
      progress.usersPrepared += page.users;
      const chunks: string[][] = [];
      for (let i = 0; i < page.dueIds.length; i += batchSize) chunks.push(page.dueIds.slice(i, i + batchSize));
      // A window of batch activities in flight at once: throughput grows with workers.
      for (let c = 0; c < chunks.length; c += parallelBatches) {
        if (await holdWhilePaused()) return finishCancelled();
        if (Date.now() >= expiresAt) break;
        await Promise.all(chunks.slice(c, c + parallelBatches).map((deliveryIds) => batch.deliverBatch({ tenantId, deliveryIds, concurrency })));
      }
      cursor = page.nextCursor;
      progress.pagesDone += 1;
      if (cursor !== null && workflowInfo().historyLength > historyLimit) {
        // Bounded history for campaigns of millions: the next run carries the cursor.
        return continueAsNew<typeof notificationWorkflow>({
          ...input,
          sendAt: null,
          resume: { cursor, pagesDone: progress.pagesDone, usersPrepared: progress.usersPrepared, paused, runsContinued: progress.runsContinued + 1 },
        });
      }
    }
  }

  // Retry rounds (bulk) and deferred rows (quiet hours): until nothing is pending.
  if (input.kind === 'bulk') {
    progress.phase = 'retrying';
    let round = 0;
    for (;;) {
      if (await holdWhilePaused()) return finishCancelled();
      if (Date.now() >= expiresAt) {
        await bookkeeping.expireNotification({ tenantId, notificationId });
        break;
      }
      const pending = await batch.pendingSummary({ notificationId });
      if (pending.pending === 0) break;
      let after: string | null = null;
      let due = 0;
      let transient = 0;
      let retryAfterMs = 0;
      for (;;) {
        const ids: string[] = await batch.pendingDue({ notificationId, after, limit: batchSize });
        if (ids.length === 0) break;
        due += ids.length;
        const r = await batch.deliverBatch({ tenantId, deliveryIds: ids, concurrency });
        transient += r.retry;
        retryAfterMs = Math.max(retryAfterMs, r.retryAfterMs ?? 0);
        after = ids.at(-1) ?? null;
        if (await holdWhilePaused()) return finishCancelled();
      }
      if (due === 0) {
        // Only deferred rows are left: sleep until the first is due.
        if (await waitOrCancel(Math.min(pending.nextDueMs ?? 60_000, expiresAt - Date.now()))) return finishCancelled();
        continue;
      }
      if (transient === 0) continue;
      round += 1;
      if (round >= timings.retryMaxAttempts) {
        await batch.failUnsent({ notificationId, reason: `gave up after ${round} delivery rounds` });
        break;
      }
      const backoff = Math.min(timings.retryInitialMs * 2 ** (round - 1), timings.retryMaxIntervalMs);
      if (await waitOrCancel(Math.max(backoff, retryAfterMs))) return finishCancelled();
    }
  }

  if (await escalate()) return finishCancelled();
  return finish();

  /** Escalation: recipients the first wave did not reach get the fallback channels. True when cancelled meanwhile. */
  async function escalate(): Promise<boolean> {
    if (!input.escalation || cancelled) return false;
    progress.phase = 'escalating';
    if (await waitOrCancel(input.escalation.afterSeconds * 1000)) return true;
    const ids = await batch.escalate({ tenantId, notificationId, channels: input.escalation.channels, until: input.escalation.until });
    for (let i = 0; i < ids.length; i += batchSize) {
      await batch.deliverBatch({ tenantId, deliveryIds: ids.slice(i, i + batchSize), concurrency });
    }
    return false;
  }

  /** One delivery activity per row, each with its own retries; rows quiet hours defer wait on a timer. */
  async function deliverSingles(plan: { deliveryIds: string[]; notBefore?: Record<string, string> }): Promise<void> {
    const notBefore = plan.notBefore ?? {};
    await Promise.all(
      plan.deliveryIds.map(async (deliveryId) => {
        const until = notBefore[deliveryId];
        if (until !== undefined && (await waitOrCancel(Math.min(Date.parse(until), expiresAt) - Date.now()))) return;
        if (cancelled) return;
        try {
          await delivery.deliver({ tenantId, deliveryId });
        } catch (err) {
          log.warn('delivery failed', { deliveryId, reason: failureReason(err) });
          await bookkeeping.failDelivery({ deliveryId, reason: failureReason(err) });
        }
      }),
    );
  }

  async function sendSingleNow(): Promise<NotificationWorkflowResult> {
    const local = proxyLocalActivities<HeraldActivities>({
      startToCloseTimeout: '30 seconds',
      retry: { initialInterval: timings.retryInitialMs, backoffCoefficient: 2, maximumInterval: timings.retryMaxIntervalMs },
    });
    if (cancelled) return finishCancelled();
    progress.phase = 'sending';
    const plan = await local.beginSingleSend({ tenantId, notificationId });
    if (!plan.ok) return finishRejected(plan.reason);
    setStatusAttribute('sending');
    if (cancelled) return finishCancelled();
    if (Date.now() >= expiresAt) await local.expireNotification({ tenantId, notificationId });
    else {
      await deliverSingles(plan);
      if (cancelled || (await escalate())) return finishCancelled();
    }
    const outcome = await local.finalizeNotification({ tenantId, notificationId });
    setStatusAttribute(outcome.status);
    progress.phase = 'done';
    return { status: outcome.status, counts: outcome.counts };
  }

  async function finish(): Promise<NotificationWorkflowResult> {
    const outcome = await bookkeeping.finalizeNotification({ tenantId, notificationId });
    setStatusAttribute(outcome.status);
    progress.phase = 'done';
    return { status: outcome.status, counts: outcome.counts };
  }
}

export async function notificationWorkflow(input: NotificationWorkflowInput): Promise<NotificationWorkflowResult> {
  // Runs started before orchestration v2 (and their recorded histories) take the old path.
  if (!patched('orchestration-v2')) return legacyRun(input);
  return orchestrate(input);
}
