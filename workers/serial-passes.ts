// One pass of a worker loop at a time per process, shared by its timer and its callers
// (drain() in tests and tools). A caller is promised a pass that started after its call, so
// it sees everything committed before it asked: one that arrives while a pass runs waits for
// it and shares the next, not the one already under way (which may have read before its rows
// were committed).

export interface SerialPasses<T> {
  /** A pass that starts now, or after the one running, shared with other callers waiting for it. */
  run(): Promise<T>;
  /** Settles when no pass is running or queued (never rejects). */
  idle(): Promise<void>;
}

export function serialPasses<T>(pass: () => Promise<T>): SerialPasses<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const p: Promise<T> = pass().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  const run = (): Promise<T> => {
    if (!running) return start();
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
  return {
    run,
    async idle() {
      while (running ?? queued) await (queued ?? running)?.catch(() => undefined);
    },
  };
}
