// A firing of a recurring schedule and the close of a digest window, as activities: the rules
// of turning each into one notification are in domain/schedules/firing.ts.
import { acceptDigestFlush, acceptScheduleFiring, type DigestFlushInput, type FiringInput, type FiringResult } from '../domain/schedules/firing.js';
import type { ActivityDeps } from './deps.js';

export function createScheduleActivities(deps: ActivityDeps) {
  return {
    acceptScheduledNotification: (input: FiringInput): Promise<FiringResult> => acceptScheduleFiring(deps, input),
  };
}

export function createDigestActivities(deps: ActivityDeps) {
  return {
    acceptDigestNotification: (input: DigestFlushInput): Promise<FiringResult> => acceptDigestFlush(deps, input),
  };
}
