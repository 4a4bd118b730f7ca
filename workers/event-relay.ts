// A worker-side loop around the outbox relay (domain/events/relay.ts): fans batches out to
// webhook endpoints and ships them to the analytics store while there are any (each on its
// own: one failing does not stop the other), then waits `intervalMs`; after a failure (the
// analytics store is down) it backs off exponentially, with jitter so that N workers do not
// return together. Every worker runs one; SKIP LOCKED lets them share the outbox.
import type { Logger } from '../common/logger.js';
import { serialPasses } from './serial-passes.js';
import { fanOutOnce, pruneOutbox, relayOnce, type RelayDeps, type RelayPass } from '../domain/events/relay.js';

export interface EventRelayOptions extends RelayDeps {
  intervalMs: number;
  batchSize: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Shipped rows are kept this long, then pruned. */
  keepShippedMs: number;
  logger: Logger;
}

export interface EventRelay {
  /** Ships until the outbox is empty (what the loop does each round); throws what a pass threw. */
  drain(): Promise<RelayPass>;
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;

export function startEventRelay(o: EventRelayOptions): EventRelay {
  const log = o.logger.child({ component: 'event-relay' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let lastPrune = 0;
  // One drain at a time per process: the loop and a caller's drain() share it.
  const passes = serialPasses(drainOnce);

  async function drainOnce(): Promise<RelayPass> {
    // Webhooks on their own first: an analytics store that is down must not hold them back.
    let fanOutError: unknown;
    try {
      while ((await fanOutOnce(o, o.batchSize)) === o.batchSize && !stopped);
    } catch (err) {
      fanOutError = err ?? new Error('webhook fan-out failed');
    }
    const total = await shipOnce();
    if (fanOutError) throw fanOutError;
    return total;
  }

  async function shipOnce(): Promise<RelayPass> {
    const total: RelayPass = { shipped: 0, written: 0, refused: 0 };
    for (;;) {
      const p = await relayOnce(o, o.batchSize);
      total.shipped += p.shipped;
      total.written += p.written;
      total.refused += p.refused;
      if (p.shipped < o.batchSize || stopped) return total;
    }
  }

  const drain = passes.run;

  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(() => void round(), ms);
    timer.unref();
  }

  async function round(): Promise<void> {
    try {
      await drain();
      if (failures > 0) log.info({ failures }, 'events shipping again');
      failures = 0;
      if (Date.now() - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = Date.now();
        await pruneOutbox(o.db, o.keepShippedMs);
      }
      schedule(o.intervalMs);
    } catch (err) {
      failures += 1;
      const base = Math.min(o.retryMaxMs, o.retryInitialMs * 2 ** Math.min(failures - 1, 30));
      const delay = Math.round(base * (0.5 + Math.random() * 0.5));
      log.warn({ err, failures, retryInMs: delay }, 'shipping events failed; they stay in the outbox');
      schedule(delay);
    }
  }

  schedule(0);
  return {
    drain,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await passes.idle();
    },
  };
}
