// Maker-checker for bulk sends: a key other than the creator's approves or rejects, once.
//
// Why the decision is retry-safe rather than recorded by the workflow: the decision lives in
// two places (the row, which the API, the audit log and the dashboard read, and the waiting
// run, which acts on it) and no transaction spans both. So the write and the signal are one
// step that either happens whole or not at all, from the caller's side:
//  - the row is written, audited and signalled inside one database transaction that commits
//    only after Temporal accepted the signal. A signal that fails (Temporal unreachable: 503)
//    rolls the row back to undecided, so the same request can simply be retried;
//  - the same decision by the same approver, once recorded, is answered as the first time and
//    signals the run again (the workflow keeps the first decision it hears, so a second signal
//    changes nothing). A client that lost the response, or an API that died after the commit,
//    is made whole by retrying.
//  - the API dying after Temporal took the signal but before the commit (a window of one
//    COMMIT) leaves a run that goes ahead as the approver asked and a row without a decider.
//    The approver's retry finds the run holding its decision (the progress query names the
//    decider) and records it then, with the audit entry. Without a retry the row shows no
//    decider and the audit log no entry: the one gap left.
// The alternative (the workflow writes the decision through an activity) would close that gap
// but changes the workflow's history for every bulk send and leaves the API unable to answer
// "decided" synchronously; the retry-safe API keeps the workflow as it is.
import { isDependencyDown } from '../../common/dependency-down.js';
import type { Db } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { recordDecision, recordDecisionAfterTheFact } from '../../schema/queries/orchestration.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { Actor } from '../actor.js';
import { decidedEvent, emitNotificationEvents } from '../events/notification-events.js';
import { conflict, dependencyUnavailable, DomainError, forbidden } from '../errors.js';
import type { Runs } from '../runs/runs.js';
import { approveFiringSchedule } from '../schedules/approval.js';
import { loadNotification, requireStatus } from './lookup.js';

export interface Decision {
  approved: boolean;
  comment?: string | undefined;
}

export interface ApprovalDeps {
  db: Db;
  runs: Pick<Runs, 'approve' | 'reject' | 'progress'>;
}

/** The decision a row records, if any: who and which way (a rejection ends the row as `rejected`). */
function recordedDecision(n: NotificationRow): { by: string; approved: boolean } | undefined {
  if (!n.decided_by || !n.decided_at) return undefined;
  return { by: n.decided_by, approved: n.status !== 'rejected' };
}

async function signalRun(deps: ApprovalDeps, id: string, by: string, d: Decision): Promise<void> {
  const payload = { by, ...(d.comment ? { comment: d.comment } : {}) };
  try {
    await (d.approved ? deps.runs.approve : deps.runs.reject)(id, payload);
  } catch (err) {
    if (isDependencyDown(err)) throw dependencyUnavailable();
    throw err;
  }
}

/** Records the decision on a bulk send waiting for approval and tells its run, with its audit entry; see the top of this file. */
export async function decideApproval(deps: ApprovalDeps, actor: Actor, id: string, d: Decision): Promise<NotificationRow> {
  const n = await loadNotification(deps.db, actor.tenantId, id);
  if (n.created_by === actor.keyId) throw forbidden('creator_cannot_approve', 'the key that created a bulk send cannot approve or reject it');
  const earlier = recordedDecision(n);
  if (earlier) {
    if (earlier.by !== actor.keyId || earlier.approved !== d.approved) throw conflict('already_decided', 'this notification was already decided');
    return repeatDecision(deps, n, actor, d);
  }
  if (n.status !== 'pending_approval' && (await runHoldsDecision(deps, n, actor, d))) return recordAfterTheFact(deps, n, actor, d);
  requireStatus(n, ['pending_approval'], 'not_pending_approval', 'only a bulk send waiting for approval can be decided');
  return deps.db.transaction().execute(async (tx) => {
    // The conditional update takes the row's lock: a concurrent decision waits, then finds it decided.
    const decided = await recordDecision(tx, actor.tenantId, n.id, { approved: d.approved, by: actor.keyId, comment: d.comment ?? null });
    if (!decided) throw conflict('already_decided', 'someone else decided this notification first');
    await appendAudit(tx, auditOf(actor, n.id, d));
    await emitNotificationEvents(tx, actor.tenantId, [decidedEvent(n, { approved: d.approved, by: actor.keyId, comment: d.comment ?? null })]);
    // A firing of a recurring send: its approval covers the schedule's version (domain/schedules/approval.ts).
    if (d.approved) await approveFiringSchedule(tx, actor.tenantId, n.id, actor.keyId);
    await signalRun(deps, n.id, actor.keyId, d);
    return decided;
  });
}

function auditOf(actor: Actor, id: string, d: Decision) {
  return { tenantId: actor.tenantId, actor: actor.keyId, action: `notification.${d.approved ? 'approve' : 'reject'}`, targetType: 'notification', targetId: id, details: { comment: d.comment ?? null } };
}

/** Whether the run already acts on this very decision by this key (its signal landed, its record did not). */
async function runHoldsDecision(deps: ApprovalDeps, n: NotificationRow, actor: Actor, d: Decision): Promise<boolean> {
  if (n.kind !== 'bulk') return false;
  try {
    const p = await deps.runs.progress(n.id);
    return p.decidedBy === actor.keyId && p.approved === d.approved;
  } catch (err) {
    if (err instanceof DomainError) return false; // no run to ask
    throw err;
  }
}

async function recordAfterTheFact(deps: ApprovalDeps, n: NotificationRow, actor: Actor, d: Decision): Promise<NotificationRow> {
  return deps.db.transaction().execute(async (tx) => {
    const decided = await recordDecisionAfterTheFact(tx, actor.tenantId, n.id, { by: actor.keyId, comment: d.comment ?? null });
    if (!decided) throw conflict('already_decided', 'this notification was already decided');
    await appendAudit(tx, auditOf(actor, n.id, d));
    await emitNotificationEvents(tx, actor.tenantId, [decidedEvent(n, { approved: d.approved, by: actor.keyId, comment: d.comment ?? null })]);
    return decided;
  });
}

/** The same decision again: signalled again in case the first never arrived, answered as the first time. */
async function repeatDecision(deps: ApprovalDeps, n: NotificationRow, actor: Actor, d: Decision): Promise<NotificationRow> {
  try {
    await signalRun(deps, n.id, actor.keyId, { approved: d.approved, comment: n.decision_comment ?? undefined });
  } catch (err) {
    // A run that already ended has acted on the decision (or was cancelled since): nothing to repeat.
    if (!(err instanceof DomainError && err.code === 'not_running')) throw err;
  }
  return n;
}
