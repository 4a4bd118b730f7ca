// The per-process write buffer both stores use: events are collected in memory and written
// in batches, by size and by time, so that recording an event costs the caller nothing and
// a slow or absent database costs it nothing either.
import type { Logger } from '../common/logger.js';

export interface BufferSink<T> {
  write(rows: T[]): Promise<void>;
  /** True when the database refused the content itself, so retrying the same rows cannot help. */
  isPermanent(err: unknown): boolean;
}

export interface EventBufferOptions {
  /** A batch of this many rows is written at once, without waiting for the timer. */
  batchSize: number;
  /** Upper bound on one insert, so a backlog is written in requests of sane size. */
  maxBatch: number;
  flushIntervalMs: number;
  /** Beyond this many buffered rows the oldest are dropped, counted and logged. */
  maxBuffered: number;
  retryInitialMs: number;
  retryMaxMs: number;
  logger: Logger;
}

export interface BufferStats {
  buffered: number;
  written: number;
  dropped: number;
  rejected: number;
  failedWrites: number;
}

export interface EventBuffer<T> {
  push(rows: readonly T[]): void;
  flush(): Promise<void>;
  close(timeoutMs: number): Promise<void>;
  stats(): BufferStats;
}

const DROP_LOG_EVERY_MS = 10_000;

export function createEventBuffer<T>(sink: BufferSink<T>, o: EventBufferOptions): EventBuffer<T> {
  let queue: T[] = [];
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let retryAt = 0;
  let lastError: unknown;
  let lastDropLog = 0;
  let pumpPending = false;
  // One write at a time: keeps insert order and bounds the load a backlog puts on the database.
  let chain: Promise<unknown> = Promise.resolve();
  const counters = { written: 0, dropped: 0, rejected: 0, failedWrites: 0 };

  function exclusive<R>(fn: () => Promise<R>): Promise<R> {
    const p = chain.then(fn);
    chain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  function trim(): void {
    const excess = queue.length - o.maxBuffered;
    if (excess <= 0) return;
    queue.splice(0, excess);
    counters.dropped += excess;
    const now = Date.now();
    if (now - lastDropLog >= DROP_LOG_EVERY_MS) {
      lastDropLog = now;
      o.logger.error({ dropped: counters.dropped, buffered: queue.length, cap: o.maxBuffered }, 'analytics buffer full: oldest events dropped');
    }
  }

  function schedule(delayMs: number): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, Math.max(0, delayMs));
    // Buffered events must not keep a process alive; close() is what flushes on shutdown.
    timer.unref();
  }

  /** Writes one batch; on a transient error puts back what was not written. */
  async function writeBatch(batch: T[]): Promise<void> {
    const pending: T[][] = [batch];
    while (pending.length > 0) {
      const chunk = pending.shift() as T[];
      try {
        await sink.write(chunk);
        counters.written += chunk.length;
      } catch (err) {
        if (!sink.isPermanent(err)) {
          queue = chunk.concat(...pending, queue);
          throw err;
        }
        if (chunk.length === 1) {
          counters.rejected += 1;
          o.logger.error({ err, rejected: counters.rejected }, 'analytics event refused by the database; dropped');
          continue;
        }
        // Halving isolates the refused rows in log2(n) extra inserts instead of losing the batch.
        const mid = chunk.length >> 1;
        pending.unshift(chunk.slice(0, mid), chunk.slice(mid));
      }
    }
  }

  function onSuccess(): void {
    if (failures > 0) o.logger.info({ failures, buffered: queue.length }, 'analytics store reachable again');
    failures = 0;
    retryAt = 0;
    lastError = undefined;
  }

  function onFailure(err: unknown): void {
    failures += 1;
    counters.failedWrites += 1;
    lastError = err;
    trim();
    const base = Math.min(o.retryMaxMs, o.retryInitialMs * 2 ** Math.min(failures - 1, 30));
    // Jitter, so that N processes that lost the database together do not return together.
    const delay = Math.round(base * (0.5 + Math.random() * 0.5));
    retryAt = Date.now() + delay;
    o.logger.warn({ err, failures, buffered: queue.length, retryInMs: delay }, 'analytics write failed; events kept for retry');
    schedule(delay);
  }

  /** Writes batches until `budget` rows were taken or the queue is empty; false after a failure. */
  async function drain(budget: number): Promise<boolean> {
    while (queue.length > 0 && budget > 0) {
      const batch = queue.splice(0, Math.min(o.maxBatch, queue.length));
      budget -= batch.length;
      try {
        await writeBatch(batch);
        onSuccess();
      } catch (err) {
        onFailure(err);
        return false;
      }
    }
    return true;
  }

  function pump(): void {
    if (pumpPending || queue.length === 0) return;
    const wait = retryAt - Date.now();
    if (wait > 0) {
      schedule(wait);
      return;
    }
    pumpPending = true;
    void exclusive(async () => {
      pumpPending = false;
      const ok = await drain(queue.length);
      if (ok && queue.length > 0) schedule(queue.length >= o.batchSize ? 0 : o.flushIntervalMs);
    });
  }

  return {
    push(rows) {
      if (rows.length === 0) return;
      if (closed) {
        counters.dropped += rows.length;
        o.logger.error({ count: rows.length }, 'analytics events recorded after close; dropped');
        return;
      }
      for (const r of rows) queue.push(r);
      trim();
      if (queue.length >= o.batchSize) pump();
      else schedule(o.flushIntervalMs);
    },

    async flush() {
      await exclusive(async () => {
        // An explicit flush is the caller asking for one attempt now, backoff or not.
        const ok = await drain(queue.length);
        if (!ok) throw lastError instanceof Error ? lastError : new Error(`analytics write failed: ${String(lastError)}`);
      });
    },

    async close(timeoutMs) {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      let deadline: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => {
        deadline = setTimeout(() => r('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([this.flush().then(() => 'ok' as const, (err: unknown) => err), timedOut]);
      clearTimeout(deadline);
      if (outcome !== 'ok' && queue.length > 0) {
        const lost = queue.length;
        counters.dropped += lost;
        queue = [];
        o.logger.error({ lost, err: outcome === 'timeout' ? undefined : outcome }, 'analytics store closed with unwritten events');
      }
    },

    stats() {
      return { buffered: queue.length, ...counters };
    },
  };
}
