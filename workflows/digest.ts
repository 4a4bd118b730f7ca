// Digest: events of one digest key for one user are collected over a window and sent as
// one notification. Events arrive by signal-with-start, so the first event starts the run
// and the rest join it; nothing is lost if a process dies mid-window.
import { condition, defineQuery, defineSignal, ParentClosePolicy, proxyActivities, setHandler, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import type { Timings } from '../common/config.js';
import { taskQueueFor, type Priority } from '../domain/runs/priorities.js';
import { SA_CATEGORY, SA_KIND, SA_PRIORITY, SA_STATUS, SA_TEMPLATE, SA_TENANT } from '../domain/runs/search-attributes.js';
import { notificationWorkflow } from './notification.js';

export interface DigestEvent {
  data: Record<string, unknown>;
  at: string;
}

export interface DigestInput {
  tenantId: string;
  userId: string;
  key: string;
  template: string;
  windowMs: number;
  channels: string[] | null;
  priority: string | null;
  taskQueuePrefix: string;
  timings: Timings;
  /** Events carried over by continue-as-new. */
  pending?: DigestEvent[];
  flushes?: number;
}

/** The most events one digest message lists; more are counted, not listed. */
export const MAX_DIGEST_EVENTS = 100;

export const digestEventSignal = defineSignal<[DigestEvent]>('digestEvent');
export const digestStateQuery = defineQuery<{ pending: number; flushes: number }>('digestState');

const { acceptDigestNotification } = proxyActivities<HeraldActivities>({ startToCloseTimeout: '30 seconds' });

export async function digestWorkflow(input: DigestInput): Promise<{ flushes: number }> {
  let events: DigestEvent[] = [...(input.pending ?? [])];
  let overflow = 0;
  let flushes = input.flushes ?? 0;
  setHandler(digestEventSignal, (e) => {
    if (events.length < MAX_DIGEST_EVENTS) events.push(e);
    else overflow += 1;
  });
  setHandler(digestStateQuery, () => ({ pending: events.length + overflow, flushes }));

  for (;;) {
    await condition(() => events.length > 0);
    await sleep(input.windowMs);
    const batch = events;
    const extra = overflow;
    events = [];
    overflow = 0;
    flushes += 1;
    const created = await acceptDigestNotification({
      tenantId: input.tenantId,
      userId: input.userId,
      key: input.key,
      template: input.template,
      channels: input.channels,
      priority: input.priority,
      events: batch,
      overflow: extra,
      idempotencyKey: `digest:${workflowInfo().workflowId}:${workflowInfo().runId}:${flushes}`,
    });
    if (created.ok) {
      await startChild(notificationWorkflow, {
        workflowId: created.notificationId,
        taskQueue: taskQueueFor(created.priority as Priority, input.taskQueuePrefix),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ tenantId: input.tenantId, notificationId: created.notificationId, sendAt: null, expiresAt: null, timings: input.timings, kind: 'single', priority: created.priority }],
        typedSearchAttributes: [
          { key: SA_TENANT, value: input.tenantId },
          { key: SA_PRIORITY, value: created.priority },
          { key: SA_STATUS, value: 'scheduled' },
          { key: SA_KIND, value: 'single' },
          { key: SA_CATEGORY, value: created.category ?? '' },
          { key: SA_TEMPLATE, value: input.template },
        ],
      });
    }
    // Events that arrived while flushing start the next window; with none, the run ends
    // and the next event starts a new one.
    if (events.length === 0) return { flushes };
  }
}
