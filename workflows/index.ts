// The workflow bundle's entry point: every workflow type Herald runs.
export { notificationWorkflow } from './notification.js';
export type { NotificationWorkflowInput, NotificationWorkflowResult } from './notification.js';
