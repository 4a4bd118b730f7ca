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
}

async function probe(name: string, fn: () => Promise<unknown>, timeoutMs = 2000): Promise<[string, string]> {
  try {
    const check = fn();
    // A check that outlives its timeout still settles later (a Temporal call fails once its
    // connection closes): handled here, so it never becomes an unhandled rejection.
    check.catch(() => {});
    await Promise.race([check, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref())]);
    return [name, 'ok'];
  } catch (err) {
    return [name, `down: ${(err as Error).message.split('\n')[0]}`];
  }
}

export function createReadiness(deps: Pick<AppDeps, 'db' | 'temporal'>): Readiness {
  let draining = false;
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
          // A deadline, so no probe RPC outlives the check (it would retry on a dead server).
          probe('temporal', () => deps.temporal.client.connection.withDeadline(Date.now() + 2000, () => deps.temporal.client.connection.workflowService.getSystemInfo({}))),
        ]),
      );
      return { ok: !draining && Object.values(checks).every((v) => v === 'ok'), draining, checks };
    },
  };
}
