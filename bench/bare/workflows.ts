// The baseline: one workflow, one activity that sends the mail. Deterministic like
// workflows/: it imports only the activities' types.
import { proxyActivities } from '@temporalio/workflow';
import type { createBareActivities, BareMail } from './activities.js';

const { sendMail } = proxyActivities<ReturnType<typeof createBareActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '100 milliseconds', maximumAttempts: 4 },
});

export async function bareSendWorkflow(mail: BareMail): Promise<string> {
  return sendMail(mail);
}
