// The end of a run as activities; the outcome follows from the ledger (domain/delivery/finalize.ts).
import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { expireNotification, finalizeNotification, setNotificationStatus, type FinalizeInput, type FinalizeResult, type SetStatusInput } from '../domain/delivery/finalize.js';

/** The run calling the activity: the notification's row records it if nobody else did. */
const endingRun = () => ({ runId: Context.current().info.workflowExecution?.runId });

export function createFinalizeActivities(deps: ActivityDeps) {
  return {
    finalizeNotification: classified((input: FinalizeInput): Promise<FinalizeResult> => finalizeNotification(deps, input, endingRun())),
    expireNotification: classified((input: FinalizeInput): Promise<void> => expireNotification(deps, input)),
    setNotificationStatus: classified((input: SetStatusInput): Promise<void> => setNotificationStatus(deps, input, endingRun())),
  };
}
