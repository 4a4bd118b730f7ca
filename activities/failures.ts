// The one place where a failure of the domain becomes a Temporal failure. Whether it is worth
// retrying is the domain's call (domain/failures.ts); here it becomes an ApplicationFailure:
// non-retryable when permanent, retryable otherwise, after the delay the provider asked for.
import { ApplicationFailure } from '@temporalio/common';
import { classifyFailure } from '../domain/failures.js';

export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const failure = classifyFailure(err);
  // Nobody classified it (a bug, a library's own error): Temporal retries it as it is, stack and all.
  if (failure.type === null) return err;
  const cause = err instanceof Error ? err : undefined;
  return ApplicationFailure.create({
    message: cause?.message ?? String(err),
    type: failure.type,
    nonRetryable: failure.permanent,
    ...(cause ? { cause } : {}),
    ...(!failure.permanent && failure.retryAfterMs !== undefined ? { nextRetryDelay: failure.retryAfterMs } : {}),
  });
}

/** An activity that throws only Temporal failures, classified as above. */
export function classified<I, O>(step: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await step(input);
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
