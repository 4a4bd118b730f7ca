// The kill switch and the pause button: every wait of a run ends early on cancel, and bulk
// sends hold between batches while paused.
import { condition } from '@temporalio/workflow';
import { setStatus } from './outcome.js';
import type { Run } from './run.js';

/** Waits up to `ms` unless cancelled (or `also` becomes true); true when cancelled. */
export async function waitOrCancel(run: Run, ms: number, also: () => boolean = () => false): Promise<boolean> {
  if (ms > 0) await condition(() => Boolean(run.state.cancelled) || also(), ms);
  return Boolean(run.state.cancelled);
}

/** Holds while paused; true when cancelled. */
export async function holdWhilePaused(run: Run): Promise<boolean> {
  const { state } = run;
  if (state.paused && !state.cancelled) {
    await setStatus(run, 'paused');
    await condition(() => !state.paused || Boolean(state.cancelled));
    if (!state.cancelled) await setStatus(run, 'sending');
  }
  return Boolean(state.cancelled);
}

export function isExpired(run: Run): boolean {
  return Date.now() >= run.state.expiresAt;
}
