// Digest: events of one digest key for one user are collected over a window and sent as
// one notification. Events arrive by signal-with-start, so the first event starts the run
// and the rest join it; nothing is lost if a process dies mid-window. Every event is one
// history event, so a key that keeps receiving events continues as new past the history
// bound (HERALD_HISTORY_LIMIT events, or when Temporal suggests it for the history's size),
// carrying its pending events, their count and the window's close to the next run.
import { condition, continueAsNew, ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import { digestEventSignal, digestStateQuery, notificationStart, type DigestEvent, type DigestInput, type DigestWorkflow } from '../domain/runs/definitions.js';
import { notificationWorkflow } from './notification.js';

/** The most events one digest message lists; more are counted, not listed. */
export const MAX_DIGEST_EVENTS = 100;

const { acceptDigestNotification } = proxyActivities<HeraldActivities>({ startToCloseTimeout: '30 seconds' });

interface Collected {
  events: DigestEvent[];
  overflow: number;
  flushes: number;
}

function collect(input: DigestInput): Collected {
  const c: Collected = { events: [...(input.pending ?? [])], overflow: input.overflow ?? 0, flushes: input.flushes ?? 0 };
  setHandler(digestEventSignal, (e) => {
    if (c.events.length < MAX_DIGEST_EVENTS) c.events.push(e);
    else c.overflow += 1;
  });
  setHandler(digestStateQuery, () => ({ pending: c.events.length + c.overflow, flushes: c.flushes }));
  return c;
}

function historyFull(input: DigestInput): boolean {
  const info = workflowInfo();
  return info.historyLength > (input.timings.historyLimit ?? 4000) || info.continueAsNewSuggested;
}

/** Sends what was collected as one notification and starts collecting anew. */
async function flush(input: DigestInput, c: Collected): Promise<void> {
  const { events, overflow } = c;
  c.events = [];
  c.overflow = 0;
  c.flushes += 1;
  const { workflowId, runId } = workflowInfo();
  const created = await acceptDigestNotification({
    tenantId: input.tenantId,
    userId: input.userId,
    key: input.key,
    template: input.template,
    channels: input.channels,
    priority: input.priority,
    events,
    overflow,
    idempotencyKey: `digest:${workflowId}:${runId}:${c.flushes}`,
  });
  if (created.ok) {
    await startChild(notificationWorkflow, { ...notificationStart(created.run, input), parentClosePolicy: ParentClosePolicy.ABANDON });
  }
}

export async function digestWorkflow(input: DigestInput): Promise<{ flushes: number }> {
  const c = collect(input);
  let flushAt = input.flushAt ? Date.parse(input.flushAt) : undefined;
  for (;;) {
    if (flushAt === undefined) {
      await condition(() => c.events.length > 0);
      flushAt = Date.now() + input.windowMs;
    }
    const remaining = flushAt - Date.now();
    if (remaining > 0 && (await condition(() => historyFull(input), remaining))) {
      return continueAsNew<DigestWorkflow>({ ...input, pending: c.events, overflow: c.overflow, flushes: c.flushes, flushAt: new Date(flushAt).toISOString() });
    }
    await flush(input, c);
    // Events that arrived while flushing start the next window; with none, the run ends
    // and the next event starts a new one.
    if (c.events.length === 0) return { flushes: c.flushes };
    flushAt = undefined;
  }
}
