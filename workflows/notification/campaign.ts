// A campaign (bulk send): validated, approved by a checker, sent at its time (low priority:
// inside the tenant's send window, checked before every batch), then paged through the
// audience — each page's due rows in a window of batch activities — with continue-as-new so
// that a campaign of millions keeps a bounded history; then retry rounds and escalation.
import { continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { NotificationWorkflow, NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { awaitApproval } from './approval.js';
import { escalate } from './escalation.js';
import { finish, finishCancelled } from './outcome.js';
import { holdWhilePaused, isExpired } from './pause-and-cancel.js';
import { retryRounds } from './retry-rounds.js';
import type { Run } from './run.js';
import { startSending } from './start-sending.js';
import { validate } from './validation.js';
import { holdForSendWindow, waitForSendTime, waitForSendWindow } from './waiting.js';

/** Everything before the first delivery; undefined when the run may send. */
async function readyToSend(run: Run): Promise<NotificationWorkflowResult | undefined> {
  const valid = await validate(run);
  if ('stopped' in valid) return valid.stopped;
  return (await awaitApproval(run, valid.approvalTimeoutMs)) ?? (await waitForSendTime(run)) ?? (await waitForSendWindow(run));
}

/** A page's due rows, a window of batch activities in flight at once: throughput grows with workers. True when cancelled. */
async function sendPage(run: Run, dueIds: string[]): Promise<boolean> {
  const { batchSize, parallelBatches, concurrency } = run.bulk;
  const chunks: string[][] = [];
  for (let i = 0; i < dueIds.length; i += batchSize) chunks.push(dueIds.slice(i, i + batchSize));
  for (let c = 0; c < chunks.length; c += parallelBatches) {
    if ((await holdWhilePaused(run)) || (await holdForSendWindow(run, 'paused'))) return true;
    if (isExpired(run)) return false;
    await Promise.all(chunks.slice(c, c + parallelBatches).map((deliveryIds) => run.acts.batch.deliverBatch({ tenantId: run.input.tenantId, deliveryIds, concurrency })));
  }
  return false;
}

/** Pages through the audience; past the history limit, the next run carries on from the cursor. */
async function sendPages(run: Run): Promise<NotificationWorkflowResult | undefined> {
  const { input, progress } = run;
  let cursor = input.resume?.cursor ?? null;
  for (let first = !input.resume; first || cursor !== null; first = false) {
    if (await holdWhilePaused(run)) return finishCancelled(run);
    const page = await run.acts.batch.preparePage({ tenantId: input.tenantId, notificationId: input.notificationId, cursor, pageSize: run.bulk.pageSize });
    progress.usersPrepared += page.users;
    if (await sendPage(run, page.dueIds)) return finishCancelled(run);
    cursor = page.nextCursor;
    progress.pagesDone += 1;
    if (cursor !== null && workflowInfo().historyLength > run.bulk.historyLimit) {
      const { pagesDone, usersPrepared, runsContinued } = progress;
      const resume = { cursor, pagesDone, usersPrepared, paused: run.state.paused, runsContinued: runsContinued + 1, decidedBy: run.state.decision?.by.by };
      return continueAsNew<NotificationWorkflow>({ ...input, sendAt: null, resume });
    }
  }
  return undefined;
}

export async function campaign(run: Run): Promise<NotificationWorkflowResult> {
  const stopped = run.input.resume ? undefined : await readyToSend(run);
  if (stopped) return stopped;
  return (await startSending(run)) ?? (await sendPages(run)) ?? (await retryRounds(run)) ?? (await escalate(run)) ?? finish(run);
}
