// Task-queue names live here and nowhere else: the API starts workflows on them and the
// workers poll them. This module is imported by workflows too, so it must stay pure.

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const DEFAULT_TASK_QUEUE_PREFIX = 'herald';

export function taskQueueFor(priority: Priority, prefix: string = DEFAULT_TASK_QUEUE_PREFIX): string {
  return `${prefix}-${priority}`;
}

export function isPriority(value: unknown): value is Priority {
  return typeof value === 'string' && (PRIORITIES as readonly string[]).includes(value);
}
