// One firing of a recurring schedule (Temporal Schedules start it): create the notification
// for this firing, then hand it to its own notification run, started like every other one.
// A bulk send is approved once per schedule version (domain/schedules/approval.ts).
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import { approveSignal, notificationStart, type ScheduledSendInput, type ScheduledSendResult } from '../domain/runs/definitions.js';
import { notificationWorkflow } from './notification.js';

const { acceptScheduledNotification } = proxyActivities<HeraldActivities>({ startToCloseTimeout: '30 seconds' });

export async function scheduledSendWorkflow(input: ScheduledSendInput): Promise<ScheduledSendResult> {
  const firing = await acceptScheduledNotification({ tenantId: input.tenantId, scheduleId: input.scheduleId, firingId: workflowInfo().workflowId });
  if (!firing.ok) return { notificationId: null, skipped: firing.reason };
  // The notification outlives this firing: it may wait for approval or a send time.
  const child = await startChild(notificationWorkflow, { ...notificationStart(firing.run, input), parentClosePolicy: ParentClosePolicy.ABANDON });
  // A bulk send whose schedule version is approved already: that approval decides this firing too.
  if (firing.approval) await child.signal(approveSignal, firing.approval);
  return { notificationId: firing.run.notificationId };
}
