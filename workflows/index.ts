// The workflow bundle's entry point: every workflow type Herald runs.
export { notificationWorkflow } from './notification.js';
export { scheduledSendWorkflow } from './scheduled-send.js';
export { digestWorkflow, digestEventSignal, digestStateQuery } from './digest.js';
export type { DigestInput, DigestEvent } from './digest.js';
export type { ScheduledSendInput, ScheduledSendResult } from './scheduled-send.js';
export type { NotificationWorkflowInput, NotificationWorkflowResult } from './notification.js';
export { directorySyncWorkflow } from './directory-sync.js';
export type { DirectorySyncInput, DirectorySyncResult } from './directory-sync.js';
export { recallWorkflow } from './recall.js';
export type { RecallWorkflowInput, RecallWorkflowResult } from './recall.js';
