// A group robot's documented rate (DingTalk 20 a minute) is Herald's own bucket: a post that
// finds it spent waits for its token inside the attempt, heartbeating, rather than failing the
// attempt — so a burst of posts to one robot queues up instead of using up their retries.
// Waits longer than `maxMs` go back to the caller's retry, after the delay the bucket named.
import { DeliveryError } from '../../channels/errors.js';
import type { Heartbeat } from '../heartbeat.js';
import { OWN_RATE_LIMIT } from './provider-router.js';

export async function untilRateAllows<T>(send: () => Promise<T>, heartbeat: Heartbeat, maxMs = 5_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    try {
      return await send();
    } catch (err) {
      const wait = err instanceof DeliveryError && err.code === OWN_RATE_LIMIT ? (err.retryAfterMs ?? 1000) : undefined;
      if (wait === undefined || Date.now() + wait > deadline) throw err;
      heartbeat();
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
