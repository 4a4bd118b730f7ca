// The life of one notification. Orchestration only: every side effect is an activity, every
// wait is a Temporal timer, so a run survives any process restart. A single send and a
// campaign (bulk) share the run's state and phases (workflows/notification/); each reads top
// to bottom in its own module.
import type { NotificationWorkflowInput, NotificationWorkflowResult } from '../domain/runs/definitions.js';
import { campaign } from './notification/campaign.js';
import { startRun } from './notification/run.js';
import { singleSend } from './notification/single-send.js';

export async function notificationWorkflow(input: NotificationWorkflowInput): Promise<NotificationWorkflowResult> {
  const run = startRun(input);
  return input.kind === 'bulk' ? campaign(run) : singleSend(run);
}
