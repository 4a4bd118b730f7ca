// Accepting a notification: check what can be checked synchronously (clear 422s), persist
// the row, start its workflow. If Temporal cannot be reached the row is removed again and
// the client gets 503, so an accepted notification always has a workflow behind it.
import { newId } from '../../common/ids.js';
import type { Priority } from '../../common/priorities.js';
import { notificationRunOf } from '../runs/definitions.js';
import { createRuns, type RunsDeps } from '../runs/runs.js';
import type { NotificationKind, NotificationStatus } from '../../schema/tables/statuses.js';
import type { Channel } from '../../channels/types.js';
import { countAudienceUsers, type AudienceSelectors } from '../../schema/queries/audience.js';
import type { AuditEntry } from '../../schema/queries/audit-log.js';
import { consumeQuota } from '../../schema/queries/rate-limits.js';
import { deleteNotification } from '../../schema/queries/notifications.js';
import { findSendTemplate, findTemplate, type SendTemplate } from '../../schema/queries/templates.js';
import { findUsers } from '../../schema/queries/users.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { TemplateVersionRow } from '../../schema/tables/templates.js';
import { canonicalHash } from './canonical-json.js';
import { notificationWrites } from './writes.js';
import { conflict, dependencyUnavailable, DomainError, unprocessable } from '../errors.js';
import { isDependencyDown } from '../../common/dependency-down.js';
import { templateChannels } from '../templates/channels.js';
import { checkChats } from '../audience/chat-groups.js';
import { checkSmsCodes } from '../templates/sms-codes.js';
import type { VariableValidator } from '../templates/variables.js';
import type { Actor } from '../actor.js';
import type { AcceptRequest } from './request.js';
import { requireTopics, topicCategory } from '../recipients/topics.js';
import { planEmailOptions, storeEmailOptions, type EmailPlan } from './email-options.js';
import { dataIssues, planInlineRecipients, storeRecipientData, type InlinePlan } from './inline-recipients.js';
import { copyRecipientData, upsertInlineUsers } from '../../schema/queries/inline-recipients.js';
import { findTenant } from '../../schema/queries/tenants.js';
import { ephemeralUntil } from '../recipients/ephemeral.js';
import { copyEmailOptions } from '../../schema/queries/notification-email.js';
import type { Db } from '../../schema/database.js';
import type { Timings } from '../../common/config.js';

type Request = AcceptRequest;

/** What accepting needs: the primary database. */
export interface AcceptDeps {
  db: Db;
}

/** What starting a run needs. */
export interface SubmitDeps extends AcceptDeps {
  temporal: Omit<RunsDeps, 'timings'>;
  timings: Timings;
}

export interface SubmitResult {
  row: NotificationRow;
  created: boolean;
}

/** The version a request renders and the tenant's send settings; a clear 422 when there is none. */
export async function resolveSendTemplate(deps: AcceptDeps, tenantId: string, req: Pick<Request, 'template' | 'templateVersion'>): Promise<SendTemplate> {
  const found = await findSendTemplate(deps.db, tenantId, req.template, req.templateVersion);
  if (found) return found;
  // Only a request that will be refused pays for finding out why.
  const template = await findTemplate(deps.db, tenantId, req.template);
  if (!template) throw unprocessable('template_not_found', `template ${req.template} does not exist`);
  const version = req.templateVersion ?? template.published_version;
  if (version === null) throw unprocessable('template_not_published', `template ${req.template} has no published version; publish it first`);
  throw unprocessable('template_version_not_found', `template ${req.template} has no version ${version}`);
}

export async function resolveTemplate(deps: AcceptDeps, tenantId: string, req: Pick<Request, 'template' | 'templateVersion'>): Promise<TemplateVersionRow> {
  return (await resolveSendTemplate(deps, tenantId, req)).version;
}

function checkTimes(req: Request, now: Date): void {
  const sendAt = req.sendAt ? new Date(req.sendAt) : undefined;
  const expiresAt = req.expiresAt ? new Date(req.expiresAt) : undefined;
  if (expiresAt && expiresAt <= now) throw unprocessable('already_expired', 'expiresAt is in the past');
  if (expiresAt && sendAt && expiresAt <= sendAt) throw unprocessable('expires_before_send', 'expiresAt must be after sendAt');
}

export interface SubmitOptions {
  /** Stored and rendered in place of req.data, after req.data passed validation: how secret variables (an OTP code) stay sealed. */
  storedData?: Record<string, unknown>;
  /** For a resend: the notification it resends. */
  parentId?: string;
  /** For a resend: the notification whose per-recipient data this one renders with. */
  recipientDataOf?: string;
  /**
   * When Temporal cannot be reached, keep the row instead of removing it: its retry with the
   * same idempotency key finds it (else the runless sweeper starts it), so a start that did
   * reach Temporal before the connection broke runs once, not once more for the retry.
   * Defaults to whether the request has an idempotency key: without one, a retry could not
   * find the row, so it is removed and the 503 means nothing was accepted.
   */
  keepOnOutage?: boolean;
}

export async function submitNotification(deps: SubmitDeps, auth: Actor, variables: VariableValidator, req: Request, opts: SubmitOptions = {}): Promise<SubmitResult> {
  const { row, created } = await acceptNotification(deps, auth, variables, req, opts);
  try {
    const audit = { tenantId: auth.tenantId, actor: auth.keyId, action: 'notification.create', targetType: 'notification', targetId: row.id };
    await startWorkflow(deps, row, created ? audit : undefined);
  } catch (err) {
    if (created && isDependencyDown(err)) {
      if (!(opts.keepOnOutage ?? req.idempotencyKey != null)) await deleteNotification(deps.db, auth.tenantId, row.id).catch(() => {});
      throw dependencyUnavailable();
    }
    throw err;
  }
  return { row, created };
}

/**
 * Everything of a submission but starting its workflow: the checks that give clear 422s,
 * the quota, and the row. Also used by recurring schedules, whose workflow starts the run.
 */
export async function acceptNotification(
  deps: AcceptDeps,
  auth: Actor,
  variables: VariableValidator,
  req: Request,
  opts: SubmitOptions = {},
): Promise<SubmitResult> {
  const tenantId = auth.tenantId;
  const now = new Date();
  checkTimes(req, now);
  const { version, bulkThreshold, dailyQuota } = await resolveSendTemplate(deps, tenantId, req);
  const inline = req.to.recipients ? await planInlineRecipients(deps.db, tenantId, req.to.recipients, await inlineEphemeralUntil(deps, tenantId, req, now)) : undefined;
  // Checked against the version that will be rendered, before anything is stored or queued,
  // so a missing variable is the caller's 422 rather than a failed delivery later.
  checkData(variables, version, req);

  const available = templateChannels(version.content);
  const channels: Channel[] = req.channels ? [...new Set(req.channels)] : available;
  const missing = channels.filter((c) => !available.includes(c));
  if (missing.length > 0) {
    throw unprocessable('channel_not_in_template', `template ${req.template} has no content for ${missing.join(', ')}`, missing.map((c) => ({ channel: c })));
  }

  if (channels.includes('sms') || req.escalation?.channels.includes('sms')) await checkSmsCodes(deps.db, tenantId, req.template, version.content);
  if (req.to.chats) await checkChatTargets(deps, tenantId, req.to.chats, channels);

  const named = [...new Set([...(req.to.userIds ?? []), ...(inline?.mustExist ?? [])])];
  const found = new Set((await findUsers(deps.db, tenantId, named)).map((u) => u.id));
  const unknown = named.filter((id) => !found.has(id));
  if (unknown.length > 0) {
    throw unprocessable('unknown_users', `${unknown.length} user id(s) do not exist`, unknown.map((userId) => ({ userId })));
  }
  if (req.to.topics) await requireTopics(deps.db, tenantId, req.to.topics);
  checkEscalation(req, available);
  const email = req.email ? await planEmailOptions(deps.db, tenantId, req.email, channels) : undefined;
  if (inline) await upsertInlineUsers(deps.db, inline.users);
  const userIds = [...new Set([...(req.to.userIds ?? []), ...(inline?.userIds ?? [])])];

  // Any group/module/topic/segment/all selector makes a send bulk however few users it matches
  // today: its size is decided when it runs, so it goes through approval like a large list.
  const bulkSelectors = req.to.groups !== undefined || req.to.modules !== undefined || req.to.topics !== undefined || req.to.segment !== undefined || req.to.all === true;
  // Bulk sends wait for a checker's approval (maker-checker) before anything goes out.
  const kind: NotificationKind = bulkSelectors || userIds.length > (bulkThreshold ?? 100) ? 'bulk' : 'single';
  const { recipients: _inline, ...selectors } = req.to;
  const audience = { ...selectors, ...(userIds.length > 0 ? { userIds } : {}) };
  // A named chat is one recipient: its one post.
  const audienceSize = (kind === 'bulk' ? await countAudienceUsers(deps.db, tenantId, audience as AudienceSelectors) : userIds.length) + new Set(req.to.chats ?? []).size;
  if (audienceSize === 0) throw unprocessable('empty_audience', 'the audience matches no users');

  const priority = (req.priority ?? version.default_priority) as Priority;
  const status: NotificationStatus = kind === 'bulk' ? 'pending_approval' : 'scheduled';
  const id = newId('ntf');
  // Never hash secret variables in clear: a short code is found from its hash in moments.
  const requestHash = canonicalHash(opts.storedData ? { ...req, data: opts.storedData } : req);
  const { row, created } = await notificationWrites(deps.db).insert({
    id,
    tenant_id: tenantId,
    template_key: req.template,
    template_version: version.version,
    kind,
    priority,
    category: req.category ?? topicCategory(req.to.topics) ?? version.category,
    status,
    status_reason: null,
    audience: JSON.stringify(audience),
    // Recipients' own data is part of what they get: with it, the same base data is other content.
    content_hash: canonicalHash({ template: req.template, version: version.version, data: opts.storedData ?? req.data, ...(inline?.data.length ? { recipients: inline.data } : {}), ...(req.email ? { email: req.email } : {}) }),
    has_recipient_data: (inline?.data.length ?? 0) > 0 || opts.recipientDataOf !== undefined,
    escalation: req.escalation ? JSON.stringify(req.escalation) : null,
    parent_id: opts.parentId ?? null,
    data: JSON.stringify(opts.storedData ?? req.data),
    channels,
    send_at: req.sendAt ? new Date(req.sendAt) : null,
    expires_at: req.expiresAt ? new Date(req.expiresAt) : null,
    idempotency_key: req.idempotencyKey ?? null,
    request_hash: requestHash,
    created_by: auth.keyId,
  });
  if (!created && row.request_hash !== requestHash) {
    throw conflict('idempotency_conflict', 'this idempotencyKey was already used with a different request body');
  }
  await keepRecipientData(deps, row, created, { inline, email }, opts);
  // Counted only for a new notification, so an idempotent replay costs no quota.
  if (created && dailyQuota != null && !(await consumeQuota(deps.db, tenantId, audienceSize * row.channels.length, dailyQuota))) {
    await deleteNotification(deps.db, tenantId, row.id);
    throw new DomainError('rate_limited', 'quota_exceeded', `this tenant's daily quota of ${dailyQuota} recipients is used up`, undefined, secondsToUtcMidnight());
  }
  return { row, created };
}

/** When the tenant keeps inline recipients ephemeral, until when this send's are kept; null: directory users. */
async function inlineEphemeralUntil(deps: AcceptDeps, tenantId: string, req: Request, now: Date): Promise<Date | null> {
  const tenant = await findTenant(deps.db, tenantId);
  return tenant ? ephemeralUntil(tenant, { now, sendAt: req.sendAt, expiresAt: req.expiresAt }) : null;
}

function checkData(variables: VariableValidator, version: TemplateVersionRow, req: Request): void {
  const { recipients, ...selectors } = req.to;
  // The notification's data alone is rendered for anyone without data of their own.
  const baseRendered = !recipients || recipients.some((r) => !r.data) || Object.keys(selectors).length > 0;
  const { issues, index } = dataIssues(variables, version.content.variables, req.data, recipients, baseRendered);
  if (issues.length === 0) return;
  const what = index === null ? 'data does' : `to.recipients[${index}].data merged over data does`;
  throw unprocessable('invalid_data', `${what} not satisfy the variables of ${req.template} v${version.version}`, issues);
}

/** Named chats are the tenant's group robots, and the send posts on chat. */
async function checkChatTargets(deps: AcceptDeps, tenantId: string, chats: readonly string[], channels: readonly Channel[]): Promise<void> {
  if (!channels.includes('chat')) throw unprocessable('chat_channel_missing', `to.chats needs the chat channel, but this send goes on ${channels.join(', ')}`, [{ in: 'body', path: 'to.chats' }]);
  await checkChats(deps.db, tenantId, chats);
}

function checkEscalation(req: Request, available: readonly Channel[]): void {
  const missing = (req.escalation?.channels ?? []).filter((c) => !available.includes(c));
  if (missing.length > 0) throw unprocessable('channel_not_in_template', `template ${req.template} has no content for ${missing.join(', ')}`, missing.map((c) => ({ channel: c })));
}

/**
 * Stored before the run starts, so every delivery renders from the same rows. A replay
 * writes again what a crash may have left unwritten; a new row is removed if this fails.
 */
async function keepRecipientData(deps: AcceptDeps, row: NotificationRow, created: boolean, { inline, email }: { inline?: InlinePlan | undefined; email?: EmailPlan | undefined }, opts: SubmitOptions): Promise<void> {
  try {
    if (inline) await storeRecipientData(deps.db, row.id, inline);
    if (email) await storeEmailOptions(deps.db, row.id, email);
    if (created && opts.parentId) await copyEmailOptions(deps.db, opts.parentId, row.id);
    if (created && opts.recipientDataOf) await copyRecipientData(deps.db, opts.recipientDataOf, row.id);
  } catch (err) {
    if (created) await deleteNotification(deps.db, row.tenant_id, row.id).catch(() => {});
    throw err;
  }
}

function secondsToUtcMidnight(now = new Date()): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((midnight - now.getTime()) / 1000);
}

/**
 * Starts the run for a notification; a run that already exists (a replayed request) is fine,
 * and its id is recorded if the row has none (the process that started it stopped before
 * recording it). The audit entry, if any, is written with the run id once the run exists.
 */
export async function startWorkflow(deps: SubmitDeps, row: NotificationRow, audit?: AuditEntry): Promise<void> {
  const runs = createRuns({ ...deps.temporal, timings: deps.timings });
  const started = await runs.startNotification(notificationRunOf(row));
  const runId = started ?? (row.workflow_run_id === null ? await runs.notificationRunId(row.id) : null);
  if (runId === null) return;
  row.workflow_run_id = runId;
  await notificationWrites(deps.db).recordRun({ id: row.id, runId, audit });
}

