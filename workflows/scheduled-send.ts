// One firing of a recurring schedule (Temporal Schedules start it): create the notification
// for this firing, then hand it to its own notification workflow.
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import type { Timings } from '../common/config.js';
import { taskQueueFor, type Priority } from '../domain/runs/priorities.js';
import { SA_CATEGORY, SA_KIND, SA_PRIORITY, SA_STATUS, SA_TEMPLATE, SA_TENANT } from '../domain/runs/search-attributes.js';
import { notificationWorkflow } from './notification.js';

export interface ScheduledSendInput {
  tenantId: string;
  scheduleId: string;
  taskQueuePrefix: string;
  timings: Timings;
}

export interface ScheduledSendResult {
  notificationId: string | null;
  skipped?: string;
}

const { acceptScheduledNotification } = proxyActivities<HeraldActivities>({ startToCloseTimeout: '30 seconds' });

export async function scheduledSendWorkflow(input: ScheduledSendInput): Promise<ScheduledSendResult> {
  const firing = await acceptScheduledNotification({ tenantId: input.tenantId, scheduleId: input.scheduleId, firingId: workflowInfo().workflowId });
  if (!firing.ok) return { notificationId: null, skipped: firing.reason };
  // The notification outlives this firing: it may wait for approval or a send time.
  await startChild(notificationWorkflow, {
    workflowId: firing.notificationId,
    taskQueue: taskQueueFor(firing.priority as Priority, input.taskQueuePrefix),
    parentClosePolicy: ParentClosePolicy.ABANDON,
    args: [
      {
        tenantId: input.tenantId,
        notificationId: firing.notificationId,
        sendAt: firing.sendAt,
        expiresAt: firing.expiresAt,
        timings: input.timings,
        kind: firing.kind === 'bulk' ? 'bulk' : 'single',
        priority: firing.priority,
      },
    ],
    typedSearchAttributes: [
      { key: SA_TENANT, value: input.tenantId },
      { key: SA_PRIORITY, value: firing.priority },
      { key: SA_STATUS, value: 'scheduled' },
      { key: SA_KIND, value: firing.kind },
      { key: SA_CATEGORY, value: firing.category ?? '' },
      { key: SA_TEMPLATE, value: firing.template },
    ],
  });
  return { notificationId: firing.notificationId };
}
