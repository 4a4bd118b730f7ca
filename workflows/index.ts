// The workflow bundle's entry point: every workflow type Herald runs. Their inputs, signals,
// queries and start options are in domain/runs/definitions.ts.
export { notificationWorkflow } from './notification.js';
export { scheduledSendWorkflow } from './scheduled-send.js';
export { digestWorkflow } from './digest.js';
export { directorySyncWorkflow } from './directory-sync.js';
export { recallWorkflow } from './recall.js';
