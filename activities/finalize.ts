// The end of a run as activities; the outcome follows from the ledger (domain/delivery/finalize.ts).
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { expireNotification, finalizeNotification, setNotificationStatus, type FinalizeInput, type FinalizeResult, type SetStatusInput } from '../domain/delivery/finalize.js';

export function createFinalizeActivities(deps: ActivityDeps) {
  return {
    finalizeNotification: classified((input: FinalizeInput): Promise<FinalizeResult> => finalizeNotification(deps, input)),
    expireNotification: classified((input: FinalizeInput): Promise<void> => expireNotification(deps, input)),
    setNotificationStatus: classified((input: SetStatusInput): Promise<void> => setNotificationStatus(deps, input)),
  };
}
