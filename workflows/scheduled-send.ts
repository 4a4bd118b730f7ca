// One firing of a recurring schedule (Temporal Schedules start it): create the notification
// for this firing, then hand it to its own notification run, started like every other one.
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import { notificationStart, type ScheduledSendInput, type ScheduledSendResult } from '../domain/runs/definitions.js';
import { notificationWorkflow } from './notification.js';

const { acceptScheduledNotification } = proxyActivities<HeraldActivities>({ startToCloseTimeout: '30 seconds' });

export async function scheduledSendWorkflow(input: ScheduledSendInput): Promise<ScheduledSendResult> {
  const firing = await acceptScheduledNotification({ tenantId: input.tenantId, scheduleId: input.scheduleId, firingId: workflowInfo().workflowId });
  if (!firing.ok) return { notificationId: null, skipped: firing.reason };
  // The notification outlives this firing: it may wait for approval or a send time.
  await startChild(notificationWorkflow, { ...notificationStart(firing.run, input), parentClosePolicy: ParentClosePolicy.ABANDON });
  return { notificationId: firing.run.notificationId };
}
