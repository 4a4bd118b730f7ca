// Digest: events of one digest key for one user are collected over a window and sent as
// one notification. Events arrive by signal-with-start, so the first event starts the run
// and the rest join it; nothing is lost if a process dies mid-window.
import { condition, ParentClosePolicy, proxyActivities, setHandler, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import { digestEventSignal, digestStateQuery, notificationStart, type DigestEvent, type DigestInput } from '../domain/runs/definitions.js';
import { notificationWorkflow } from './notification.js';

/** The most events one digest message lists; more are counted, not listed. */
export const MAX_DIGEST_EVENTS = 100;

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
      await startChild(notificationWorkflow, { ...notificationStart(created.run, input), parentClosePolicy: ParentClosePolicy.ABANDON });
    }
    // Events that arrived while flushing start the next window; with none, the run ends
    // and the next event starts a new one.
    if (events.length === 0) return { flushes };
  }
}
