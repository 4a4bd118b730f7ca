// A worker-side loop that sends due webhook deliveries (domain/events/webhook-send.ts): again
// at once while a pass was full, else after `intervalMs`. Every worker runs one; deliveries
// are claimed with SKIP LOCKED, so they share the work without a leader.
import { serialPasses } from './serial-passes.js';
import { sendDueWebhooks, type WebhookSendOptions } from '../domain/events/webhook-send.js';

/**
 * Deliveries one pass claims. A dispatcher killed mid-pass sends the ones it had sent but not
 * yet recorded again (same webhook-id), so this bounds the repeats one crash can cause.
 */
export const WEBHOOK_PASS_SIZE = 200;

export interface WebhookDispatcher {
  /** Sends what is due until nothing is (tests); throws what a pass threw. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

export function startWebhookDispatcher(o: WebhookSendOptions & { intervalMs: number }): WebhookDispatcher {
  const log = o.logger.child({ component: 'webhook-dispatcher' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await sendDueWebhooks(o);
      total += n;
      if (n < o.batchSize || stopped) return total;
    }
  }
  // One pass at a time per process; a caller's drain() sees what was due when it asked.
  const passes = serialPasses(drainOnce);
  const drain = passes.run;

  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      drain().then(
        () => schedule(o.intervalMs),
        (err: unknown) => {
          log.warn({ err }, 'sending webhooks failed; the next pass retries');
          schedule(Math.max(o.intervalMs, 1000));
        },
      );
    }, ms);
    timer.unref();
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
