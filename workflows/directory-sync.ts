// One LDAP / Active Directory sync of one tenant, started on demand or by the tenant's Temporal
// Schedule. Each step is an activity whose effect is committed with its own record of what
// changed, so a worker that dies mid-sync costs at most the step it was in: the next worker
// replays this history and carries on from the next page.
import { ApplicationFailure, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import type { DirectorySyncInput, DirectorySyncResult } from '../domain/runs/definitions.js';

const quick = proxyActivities<HeraldActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});
// The staging search heartbeats per page: a worker lost mid-search is noticed within the
// heartbeat timeout rather than the (long) start-to-close timeout.
const search = proxyActivities<HeraldActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});
// Each apply step heartbeats between its statements, so a worker killed mid-step (SIGKILL, a
// lost machine) costs the heartbeat timeout before the step is retried elsewhere, not minutes.
const apply = proxyActivities<HeraldActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

function messageOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export async function directorySyncWorkflow(input: DirectorySyncInput): Promise<DirectorySyncResult> {
  const syncId = input.syncId ?? `dsy_${uuid4().replace(/-/g, '')}`;
  const ref = { tenantId: input.tenantId, syncId };
  const begun = await quick.beginDirectorySync({ ...ref, trigger: input.trigger, workflowId: workflowInfo().workflowId });
  if (!begun.ok) return { syncId, status: 'skipped', report: null, skipped: begun.reason };
  try {
    await search.stageDirectoryEntries({ ...ref, kind: 'user' });
    await search.stageDirectoryEntries({ ...ref, kind: 'group' });
    for (let after: string | null = null; ; ) {
      const page: { next: string | null } = await apply.applyDirectoryUsersPage({ ...ref, after });
      if (page.next === null) break;
      after = page.next;
    }
    await apply.applyDirectoryGroups(ref);
    await apply.deactivateMissingDirectoryUsers(ref);
  } catch (err) {
    // The failure is the sync's outcome (readable through the API), not a reason to fail the run.
    const failed = await quick.finishDirectorySync({ ...ref, error: messageOf(err) });
    return { syncId, status: failed.status, report: null };
  }
  const done = await quick.finishDirectorySync(ref);
  return { syncId, status: done.status, report: done.report };
}
