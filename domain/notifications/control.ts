// Acting on a notification after it was accepted: cancel, pause/resume, resend, and edits
// before it starts sending. Each function checks and records; the caller then tells the
// notification's run (a signal), which acts on it.
import type { Channel } from '../../channels/types.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { Db, DbOrTx } from '../../schema/database.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { failedTargets, softDeleteNotification, updateBeforeSending } from '../../schema/queries/notifications.js';
import { findTemplateVersion } from '../../schema/queries/templates.js';
import { FINAL_NOTIFICATION_STATUSES } from '../../schema/tables/statuses.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { Actor } from '../actor.js';
import { countAudience, type AudienceCountResult } from '../audience/audience.js';
import { policyContextFor } from '../delivery/prepare.js';
import { conflict, dependencyUnavailable, notFound, unprocessable } from '../errors.js';
import { isDependencyDown } from '../../common/dependency-down.js';
import type { VariableValidator } from '../templates/variables.js';
import { acceptNotification, startWorkflow, type SubmitDeps, type SubmitResult } from './accept.js';
import { loadNotification, requireStatus } from './lookup.js';
import type { AcceptRequest } from './request.js';
import { openSealed } from './sealed-data.js';

const NOT_STARTED = ['scheduled', 'pending_approval'] as const;

/** Deliveries per second one worker process sustains in the bulk benchmark (bench/README.md). */
const ESTIMATE_PER_SECOND = 150;

function requireUnfinished(n: NotificationRow): void {
  if (FINAL_NOTIFICATION_STATUSES.includes(n.status as never)) throw conflict('already_finished', `the notification already ended (${n.status})`);
}

/** Checks a cancel is still meaningful and records who asked; the run stops on the signal. */
export async function cancelNotification(db: DbOrTx, actor: Actor, id: string, reason: string | undefined): Promise<NotificationRow> {
  const n = await loadNotification(db, actor.tenantId, id);
  requireUnfinished(n);
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'notification.cancel', targetType: 'notification', targetId: n.id, details: { reason: reason ?? null } });
  return n;
}

/** Only a running bulk send pauses (between batches) or resumes. */
export async function pauseNotification(db: DbOrTx, actor: Actor, id: string, pause: boolean): Promise<NotificationRow> {
  const n = await loadNotification(db, actor.tenantId, id);
  if (n.kind !== 'bulk') throw conflict('not_bulk', 'only a bulk send can be paused');
  requireUnfinished(n);
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: pause ? 'notification.pause' : 'notification.resume', targetType: 'notification', targetId: n.id });
  return n;
}

export interface ResendDeps extends SubmitDeps {
  secretBox?: SecretBox | undefined;
}

/**
 * Sends a finished notification again as a new one linked to it: to everyone again, or
 * (`onlyFailed`) only to the users and channels whose delivery failed. Audited once its run has started.
 */
export async function resendNotification(deps: ResendDeps, actor: Actor, variables: VariableValidator, id: string, onlyFailed: boolean): Promise<NotificationRow> {
  const { row } = await acceptResend(deps, actor, variables, id, onlyFailed);
  try {
    await startWorkflow(deps, row);
  } catch (err) {
    if (isDependencyDown(err)) throw dependencyUnavailable();
    throw err;
  }
  await appendAudit(deps.db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'notification.resend', targetType: 'notification', targetId: row.id, details: { parentId: id, onlyFailed } });
  return row;
}

async function acceptResend(deps: ResendDeps, actor: Actor, variables: VariableValidator, id: string, onlyFailed: boolean): Promise<SubmitResult> {
  const n = await loadNotification(deps.db, actor.tenantId, id);
  requireStatus(n, FINAL_NOTIFICATION_STATUSES, 'not_finished', 'only a finished notification can be resent');
  let to = n.audience as AudienceSelectors;
  let channels = n.channels as Channel[];
  if (onlyFailed) {
    const failed = await failedTargets(deps.db, n.id);
    if (failed.length === 0) throw unprocessable('nothing_failed', 'no delivery of this notification failed');
    to = { userIds: [...new Set(failed.map((f) => f.user_id))] };
    channels = [...new Set(failed.map((f) => f.channel as Channel))];
  }
  const req: AcceptRequest = {
    template: n.template_key,
    templateVersion: n.template_version,
    to,
    data: openSealed(n.data, deps.secretBox),
    priority: n.priority as AcceptRequest['priority'],
    channels,
    ...(n.category ? { category: n.category } : {}),
  };
  // The stored data stays sealed: a resent OTP keeps its code out of the clear.
  return acceptNotification(deps, actor, variables, req, { storedData: n.data, parentId: n.id, ...(n.has_recipient_data ? { recipientDataOf: n.id } : {}) });
}

/** A change before sending; `null` clears a time, absent leaves it. */
export interface NotificationChange {
  sendAt?: string | null | undefined;
  expiresAt?: string | null | undefined;
  data?: Record<string, unknown> | undefined;
}

/** Applies a change to a notification that has not started sending; returns the times its run must now keep. */
export async function changeBeforeSending(
  db: DbOrTx,
  actor: Actor,
  variables: VariableValidator,
  id: string,
  change: NotificationChange,
): Promise<{ notification: NotificationRow; sendAt: Date | null; expiresAt: Date | null }> {
  const n = await loadNotification(db, actor.tenantId, id);
  requireStatus(n, NOT_STARTED, 'already_sending', 'only a notification that has not started sending can be changed');
  const sendAt = change.sendAt === undefined ? n.send_at : change.sendAt ? new Date(change.sendAt) : null;
  const expiresAt = change.expiresAt === undefined ? n.expires_at : change.expiresAt ? new Date(change.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date()) throw unprocessable('already_expired', 'expiresAt is in the past');
  if (expiresAt && sendAt && expiresAt <= sendAt) throw unprocessable('expires_before_send', 'expiresAt must be after sendAt');
  if (change.data) {
    const version = await findTemplateVersion(db, actor.tenantId, n.template_key, n.template_version);
    const issues = variables.validate(version?.content.variables, change.data);
    if (issues.length > 0) throw unprocessable('invalid_data', 'data does not satisfy the template variables', issues);
  }
  if (!(await updateBeforeSending(db, actor.tenantId, n.id, { sendAt, expiresAt, data: change.data }, NOT_STARTED))) {
    throw conflict('already_sending', 'the notification started sending meanwhile');
  }
  await appendAudit(db, {
    tenantId: actor.tenantId,
    actor: actor.keyId,
    action: 'notification.update',
    targetType: 'notification',
    targetId: n.id,
    details: { sendAt: change.sendAt, expiresAt: change.expiresAt, data: change.data !== undefined },
  });
  return { notification: n, sendAt, expiresAt };
}

export interface AudienceSummary extends AudienceCountResult {
  estimatedSeconds: number;
}

/** A dry run of the notification's audience for its approver: who would get what, and how long it would take. */
export async function summarizeAudience(deps: { db: Db; dbRead?: Db | undefined }, actor: Actor, id: string): Promise<AudienceSummary> {
  const n = await loadNotification(deps.db, actor.tenantId, id);
  const template = await findTemplateVersion(deps.db, actor.tenantId, n.template_key, n.template_version);
  if (!template) throw unprocessable('template_version_not_found', 'the template version is gone');
  const ctx = await policyContextFor(deps, n, template, n.channels as Channel[]);
  const result = await countAudience(deps.dbRead ?? deps.db, actor.tenantId, n.audience as AudienceSelectors, ctx);
  const sends = Object.values(result.channels).reduce((s, c) => s + c.send, 0);
  return { ...result, estimatedSeconds: Math.ceil(sends / ESTIMATE_PER_SECOND) };
}

/** Hides a finished notification from lists; the audit log keeps it. */
export async function removeFinished(db: DbOrTx, actor: Actor, id: string): Promise<void> {
  const outcome = await softDeleteNotification(db, actor.tenantId, id, FINAL_NOTIFICATION_STATUSES);
  if (outcome === 'not_found') throw notFound('notification');
  if (outcome === 'not_finished') throw conflict('not_finished', 'only a finished notification can be deleted; cancel it first');
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'notification.delete', targetType: 'notification', targetId: id });
}
