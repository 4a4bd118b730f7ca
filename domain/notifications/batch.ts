// Many notifications in one request (POST /v1/notifications/batch): each item is submitted
// exactly as POST /v1/notifications submits one — its own checks, its own idempotency key,
// its own row and run — so one bad item, or one caught by an outage, fails only itself, and
// a retry of the whole batch with the same keys returns the items already accepted. Every
// item has a key, so an item caught by a Temporal outage keeps its row (503 all the same):
// its start may have reached Temporal, and the retry must find that run rather than send
// again; not retried, the runless sweeper starts it.
import { isDependencyDown } from '../../common/dependency-down.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import type { VariableValidator } from '../templates/variables.js';
import { submitNotification, type SubmitDeps } from './accept.js';
import type { AcceptRequest } from './request.js';

export const BATCH_MAX = 1000;

/** Items in flight at once: enough for the accept path's grouped writes to fill their statements. */
const LANES = 16;

export type BatchOutcome = { ok: true; row: NotificationRow; created: boolean } | { ok: false; error: unknown };

function isOutage(err: unknown): boolean {
  return (err instanceof DomainError && err.kind === 'unavailable') || isDependencyDown(err);
}

/** One outcome per item, in the items' order. */
export async function submitBatch(deps: SubmitDeps, auth: Actor, variables: VariableValidator, items: readonly AcceptRequest[]): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  let next = 0;
  // Once a dependency is down, the items not yet begun fail at once with the same error
  // rather than each waiting out the client's connection retries.
  let outage: unknown;
  async function lane(): Promise<void> {
    for (let i = next++; i < items.length; i = next++) {
      if (outage !== undefined) {
        outcomes[i] = { ok: false, error: outage };
        continue;
      }
      try {
        outcomes[i] = { ok: true, ...(await submitNotification(deps, auth, variables, items[i] as AcceptRequest, { keepOnOutage: true })) };
      } catch (error) {
        outcomes[i] = { ok: false, error };
        if (isOutage(error)) outage = error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(LANES, items.length) }, lane));
  return outcomes;
}
