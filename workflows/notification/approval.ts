// Phase 2 (bulk sends): maker-checker approval. The run waits for an approver's signal; no
// decision within the tenant's timeout rejects it.
import { condition } from '@temporalio/workflow';
import { approvalTimeoutReason, type NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { finishCancelled, finishRejected, setStatusAttribute } from './outcome.js';
import type { Run } from './run.js';

/** Undefined once approved; otherwise how the run ended. */
export async function awaitApproval(run: Run, timeoutMs: number): Promise<NotificationWorkflowResult | undefined> {
  const { state } = run;
  run.progress.phase = 'pending_approval';
  setStatusAttribute('pending_approval');
  const decided = await condition(() => state.decision !== undefined || Boolean(state.cancelled), timeoutMs);
  if (state.cancelled) return finishCancelled(run);
  if (!decided || !state.decision) return finishRejected(run, approvalTimeoutReason(timeoutMs));
  const { approved, by } = state.decision;
  if (!approved) return finishRejected(run, `rejected by ${by.by}${by.comment ? `: ${by.comment}` : ''}`);
  run.progress.approved = true;
  return undefined;
}
