// Stages 1–5 and 9 as activities: the send-time checks, the tenant's send window, writing the
// ledger rows (all at once for a single send, a page at a time for a campaign), and the
// escalation wave. The rules are in domain/delivery/.
import { Context } from '@temporalio/activity';
import type { QueueAdmission } from './admission.js';
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { escalate, type EscalationInput } from '../domain/delivery/escalate.js';
import { prepareNotification, preparePage, type PageInput, type PageResult, type PrepareInput, type PrepareResult } from '../domain/delivery/prepare.js';
import { startRun } from '../domain/delivery/run-start.js';
import { sendWindowDelay, type NotificationRef, type ValidationResult } from '../domain/delivery/send-checks.js';
import { beginSingleSend } from '../domain/delivery/single-send.js';

export function createPrepareActivities(deps: ActivityDeps, admission?: QueueAdmission) {
  return {
    /** The rules only checkable when the run starts (the API checked what it could); the run's start is announced (domain/delivery/run-start.ts). */
    validateNotification: classified((ref: NotificationRef): Promise<ValidationResult> => startRun(deps, ref)),

    sendWindowDelay: classified(({ tenantId }: { tenantId: string }): Promise<number> => sendWindowDelay(deps, tenantId)),

    prepareNotification: classified((input: PrepareInput): Promise<PrepareResult> => prepareNotification(deps, input)),

    /** A single send's checks and ledger rows in one local activity (domain/delivery/single-send.ts says why). */
    beginSingleSend: classified((ref: NotificationRef): Promise<PrepareResult> => beginSingleSend(deps, ref)),

    /** One page of a bulk audience: decide, write its ledger rows, return what to send now. It ends early while the campaign yields. */
    preparePage: classified((input: PageInput): Promise<PageResult> => {
      const { taskQueue } = Context.current().info;
      return preparePage(deps, input, () => admission?.yielding(taskQueue) ?? false);
    }),

    /** Rows on the escalation channels for every user the first wave did not reach. */
    escalate: classified((input: EscalationInput): Promise<string[]> => escalate(deps, input)),
  };
}
