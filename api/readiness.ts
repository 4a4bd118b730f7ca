// Readiness, shared by the public /readyz (ready or not, nothing more) and the ops
// listener's detailed one (each dependency's state and error text). On SIGTERM the process
// marks itself draining first, so both answer 503 while it still serves what load balancers
// send until they notice.
import { sql } from 'kysely';
import type { AppDeps } from './deps.js';

export interface ReadinessReport {
  ok: boolean;
  draining: boolean;
  /** Per dependency: `ok`, or `down: <first line of the error>`. */
  checks: Record<string, string>;
}

export interface Readiness {
  /** True once draining started: readiness answers 503 from then on. */
  readonly draining: boolean;
  /** Marks the process as going away. */
  drain(): void;
  check(): Promise<ReadinessReport>;
  /**
   * Resolves once no probe call is still running. A probe answers at its timeout, but the
   * call behind it goes on: the Temporal client retries an unreachable server on timers of
   * its own, and a retry that fires after its connection closed throws where nothing can
   * catch it. Whoever closes the connection waits for this first.
   */
  settled(): Promise<void>;
}

/** How long a probe waits before it answers `down: timeout`. */
const PROBE_TIMEOUT_MS = 2000;

export function createReadiness(deps: Pick<AppDeps, 'db' | 'temporal'>): Readiness {
  let draining = false;
  const running = new Set<Promise<unknown>>();

  async function probe(name: string, fn: () => Promise<unknown>): Promise<[string, string]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const call = fn();
      const tracked = call.then(
        () => {},
        () => {},
      );
      running.add(tracked);
      void tracked.then(() => running.delete(tracked));
      await Promise.race([call, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS)))]);
      return [name, 'ok'];
    } catch (err) {
      return [name, `down: ${(err as Error).message.split('\n')[0]}`];
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get draining() {
      return draining;
    },
    drain() {
      draining = true;
    },
    async check() {
      const checks = Object.fromEntries(
        await Promise.all([
          probe('postgres', () => sql`select 1`.execute(deps.db)),
          // The deadline ends the call's retries soon after the probe has answered.
          probe('temporal', () => deps.temporal.client.connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () => deps.temporal.client.connection.workflowService.getSystemInfo({}))),
        ]),
      );
      return { ok: !draining && Object.values(checks).every((v) => v === 'ok'), draining, checks };
    },
    async settled() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
