// The three priorities, high / medium / low: a notification's priority and the event hub's
// three task queues (ARCHITECTURE.md). The vocabulary sits in common/ because configuration
// is written in it (HERALD_QUEUES, the slot weights per queue) and common/ is the lowest
// layer; how a priority names a task queue is domain/runs/definitions.ts's business.

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

