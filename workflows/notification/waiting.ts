// Phases 3 and 4: waiting for the send time (a reschedule signal moves it while waiting) and,
// for low-priority bulk sends, for the tenant's send window. Durable timers: a wait of days
// survives restarts of everything.
import type { NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { finishCancelled, setStatus } from './outcome.js';
import { waitOrCancel } from './pause-and-cancel.js';
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

/** Low-priority bulk sends go out only inside the tenant's send window (off-hours). */
export async function waitForSendWindow(run: Run): Promise<NotificationWorkflowResult | undefined> {
  if (run.input.kind !== 'bulk' || run.input.priority !== 'low') return undefined;
  run.progress.phase = 'waiting_window';
  const delay = await run.acts.batch.sendWindowDelay({ tenantId: run.input.tenantId });
  if (delay <= 0) return undefined;
  await setStatus(run, 'scheduled', 'waiting for the tenant send window');
  return (await waitOrCancel(run, delay)) ? finishCancelled(run) : undefined;
}
