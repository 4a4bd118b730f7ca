// LDAP / Active Directory sync, the steps the directory sync workflow strings together: stage
// what the directory holds (staging.ts), apply users a page at a time (apply-users.ts), then
// groups with nested membership (apply-groups.ts), then deactivate the users the directory no
// longer has. Every change is recorded once per sync, which makes retried steps harmless and
// gives the report.
import { beginSync, changeCounts, clearStaged, countStaged, deactivateUnseenLdapUsers, findDirectoryConfig, findSync, finishSync, recordChanges, setSyncPhase } from '../../schema/queries/directory.js';
import type { DirectorySyncReport } from '../../schema/tables/directory.js';
import type { DirectoryDeps } from './deps.js';
import type { SyncRef } from './staging.js';

export const LDAP_GONE_REASON = 'ldap: no longer in the directory';

export interface BeginSyncInput extends SyncRef {
  trigger: 'manual' | 'schedule';
  workflowId: string;
}

export interface FinishSyncInput extends SyncRef {
  error?: string | undefined;
}

export async function beginDirectorySync(deps: DirectoryDeps, input: BeginSyncInput): Promise<{ ok: true } | { ok: false; reason: string }> {
  const config = await findDirectoryConfig(deps.db, input.tenantId);
  if (!config) return { ok: false, reason: 'no directory configured' };
  await beginSync(deps.db, { id: input.syncId, tenantId: input.tenantId, trigger: input.trigger, workflowId: input.workflowId });
  return { ok: true };
}

export async function deactivateMissingDirectoryUsers(deps: DirectoryDeps, input: SyncRef): Promise<{ deactivated: number }> {
  return deps.db.transaction().execute(async (tx) => {
    await setSyncPhase(tx, input.syncId, 'deactivating');
    const ids = await deactivateUnseenLdapUsers(tx, input.tenantId, input.syncId, LDAP_GONE_REASON);
    await recordChanges(tx, input.syncId, ids.map((userId) => ({ kind: 'user_deactivated' as const, userId, detail: { reason: LDAP_GONE_REASON } })));
    return { deactivated: ids.length };
  });
}

/** The report from the recorded changes; the staged entries are dropped. */
export async function finishDirectorySync(deps: DirectoryDeps, input: FinishSyncInput): Promise<{ status: string; report: DirectorySyncReport | null }> {
  const sync = await findSync(deps.db, input.tenantId, input.syncId);
  if (!sync) return { status: 'missing', report: null };
  if (sync.status !== 'running') return { status: sync.status, report: sync.report };
  const report = await reportOf(deps, input.syncId, sync.started_at);
  await finishSync(deps.db, input.syncId, { status: input.error ? 'failed' : 'completed', report: input.error ? null : report, error: input.error ?? null });
  await clearStaged(deps.db, input.syncId);
  return { status: input.error ? 'failed' : 'completed', report };
}

async function reportOf(deps: DirectoryDeps, syncId: string, startedAt: Date): Promise<DirectorySyncReport> {
  const entries = await countStaged(deps.db, syncId);
  const { byKind, usersTouched } = await changeCounts(deps.db, syncId);
  const n = (k: string) => byKind.get(k) ?? 0;
  return {
    entries,
    users: {
      created: n('user_created'),
      updated: n('user_updated'),
      deactivated: n('user_deactivated'),
      reactivated: n('user_reactivated'),
      unchanged: Math.max(0, entries.users - usersTouched),
      conflicts: n('user_conflict'),
    },
    groups: { created: n('group_created'), updated: n('group_updated'), removed: n('group_removed') },
    memberships: { added: n('membership_added'), removed: n('membership_removed') },
    durationMs: Date.now() - startedAt.getTime(),
  };
}
