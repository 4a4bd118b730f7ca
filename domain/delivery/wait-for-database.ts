import { isDependencyDown } from '../../common/dependency-down.js';
import type { Heartbeat } from '../heartbeat.js';

/**
 * Retries `write` while PostgreSQL is unreachable, for up to `maxMs` (inside the attempt's
 * timeout), heartbeating between tries so the wait is not taken for a dead worker.
 */
export async function untilDatabaseAnswers<T>(write: () => Promise<T>, heartbeat: Heartbeat, maxMs = 40_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await write();
    } catch (err) {
      if (!isDependencyDown(err) || Date.now() + delay > deadline) throw err;
      heartbeat();
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
