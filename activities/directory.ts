// The directory sync's steps as activities, each heartbeating as the domain reports progress
// (domain/directory/). A configuration that cannot work (TLS, credentials, search base) fails
// the step for good; an unreachable server is retried.
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { activityHeartbeat } from './heartbeat.js';
import { applyDirectoryGroups } from '../domain/directory/apply-groups.js';
import { applyDirectoryUsersPage, type UsersPageInput } from '../domain/directory/apply-users.js';
import { stageDirectoryEntries, type StageInput, type StageResult, type SyncRef } from '../domain/directory/staging.js';
import { beginDirectorySync, deactivateMissingDirectoryUsers, finishDirectorySync, type BeginSyncInput, type FinishSyncInput } from '../domain/directory/sync.js';
import type { DirectorySyncReport } from '../schema/tables/directory.js';

export function createDirectoryActivities(deps: ActivityDeps) {
  return {
    beginDirectorySync: classified((input: BeginSyncInput): Promise<{ ok: true } | { ok: false; reason: string }> => beginDirectorySync(deps, input)),
    stageDirectoryEntries: classified((input: StageInput): Promise<StageResult> => stageDirectoryEntries(deps, input, activityHeartbeat)),
    applyDirectoryUsersPage: classified((input: UsersPageInput): Promise<{ next: string | null; applied: number }> => applyDirectoryUsersPage(deps, input, activityHeartbeat)),
    applyDirectoryGroups: classified((input: SyncRef): Promise<{ groups: number }> => applyDirectoryGroups(deps, input, activityHeartbeat)),
    deactivateMissingDirectoryUsers: classified((input: SyncRef): Promise<{ deactivated: number }> => deactivateMissingDirectoryUsers(deps, input)),
    finishDirectorySync: classified((input: FinishSyncInput): Promise<{ status: string; report: DirectorySyncReport | null }> => finishDirectorySync(deps, input)),
  };
}
