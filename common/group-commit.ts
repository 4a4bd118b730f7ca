// Group commit for the delivery hot path: a campaign's batch runs many deliveries at once,
// and each used to make its own round trips to PostgreSQL (load, claim, complete, log).
// Calls that arrive while a flush is in flight, or in the same turn of the event loop, are
// run together as one statement. One flush at a time per group keeps the database's load
// bounded; a lone call (a single send) goes out at once, so it waits for nobody.
//
// DataLoader batches only the calls made in one tick and is built for reads keyed by id;
// this also batches writes and whatever arrives while the previous flush runs.

export interface GroupCommitOptions {
  /** Most items in one flush. */
  maxBatch: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * `run` gets the items in call order and returns one result per item, in the same order.
 * When it throws, every call of that flush rejects with the error (callers retry as they
 * would a single statement).
 */
export function createGroupCommit<I, O>(run: (items: readonly I[]) => Promise<readonly O[]>, opts: GroupCommitOptions): (item: I) => Promise<O> {
  const queue: Pending<I, O>[] = [];
  let flushing = false;

  async function drain(): Promise<void> {
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, opts.maxBatch);
        try {
          const out = await run(batch.map((p) => p.item));
          if (out.length !== batch.length) throw new Error(`group commit: ${out.length} results for ${batch.length} items`);
          batch.forEach((p, i) => p.resolve(out[i] as O));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      flushing = false;
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      // setImmediate: whatever else completes in this turn of the event loop joins the flush.
      if (!flushing && queue.length === 1) setImmediate(() => void drain());
    });
}
