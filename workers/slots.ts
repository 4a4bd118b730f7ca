import { PRIORITIES, type Priority } from '../common/priorities.js';

/**
 * Splits a worker process's slots across the priority queues it serves by weight, so high
 * priority always has most of the capacity and low priority can never take all of it.
 */
export function slotsPerQueue(total: number, weights: readonly [number, number, number], queues: readonly Priority[]): Map<Priority, number> {
  const chosen = PRIORITIES.filter((p) => queues.includes(p));
  const weightOf = (p: Priority) => weights[PRIORITIES.indexOf(p)] ?? 1;
  const sum = chosen.reduce((s, p) => s + weightOf(p), 0);
  return new Map(chosen.map((p) => [p, Math.max(1, Math.round((total * weightOf(p)) / sum))]));
}
