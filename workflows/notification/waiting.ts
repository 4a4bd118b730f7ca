// Phases 3 and 4: waiting for the send time (a reschedule signal moves it while waiting) and,
// for low-priority bulk sends, for the tenant's send window (before every batch). Durable
// timers: a wait of days survives restarts of everything.
import type { NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { finishCancelled, setStatus } from './outcome.js';
import { isExpired, waitOrCancel } from './pause-and-cancel.js';
import type { Run } from './run.js';

/** Undefined once the send time has come; the cancelled outcome if cancelled meanwhile. */
export async function waitForSendTime(run: Run): Promise<NotificationWorkflowResult | undefined> {
  const { state } = run;
  run.progress.phase = 'scheduled';
  for (;;) {
    const wait = state.sendAt - Date.now();
    if (wait <= 0) return undefined;
    // A reschedule that lands while the status is being written must still end this wait
    // (it was computed from the old send time), so the count is read before that await.
    const seen = state.rescheduled;
    await setStatus(run, 'scheduled');
    if (await waitOrCancel(run, wait, () => state.rescheduled !== seen)) return finishCancelled(run);
  }
}

export const WINDOW_REASON = 'waiting for the tenant send window';

/**
 * Low-priority bulk sends go out only inside the tenant's send window (off-hours), checked
 * before the first batch and before every batch after it: a closed window holds the run on a
 * durable timer (never past its expiry) until it opens, re-read then in case the tenant
 * changed it. `closed` is the status meanwhile: `scheduled` before the first batch, `paused`
 * mid-campaign. True when cancelled.
 */
export async function holdForSendWindow(run: Run, closed: 'scheduled' | 'paused'): Promise<boolean> {
  if (run.input.kind !== 'bulk' || run.input.priority !== 'low') return false;
  const { progress, state } = run;
  const phase = progress.phase;
  let waited = false;
  for (;;) {
    const delay = await run.acts.batch.sendWindowDelay({ tenantId: run.input.tenantId });
    if (delay <= 0 || state.cancelled || isExpired(run)) break;
    if (!waited) await setStatus(run, closed, WINDOW_REASON);
    waited = true;
    progress.phase = 'waiting_window';
    if (await waitOrCancel(run, Math.min(delay, state.expiresAt - Date.now()))) return true;
  }
  progress.phase = phase;
  if (waited && closed === 'paused' && !state.cancelled) await setStatus(run, 'sending');
  return Boolean(state.cancelled);
}

/** The wait before the first batch: undefined once the window is open; the cancelled outcome if cancelled meanwhile. */
export async function waitForSendWindow(run: Run): Promise<NotificationWorkflowResult | undefined> {
  return (await holdForSendWindow(run, 'scheduled')) ? finishCancelled(run) : undefined;
}
