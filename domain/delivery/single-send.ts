// A single send's bookkeeping before delivery, as one local activity: load the notification
// and its template version once, check them, write the ledger rows (which marks the
// notification sending). Separate activities each cost a trip through the task queue and a
// workflow task, and each loaded the same rows again; run together inside the workflow task
// they cost none, which is most of a single send's latency when the provider is quick.
import type { ActivityDeps } from '../../activities/deps.js';
import { checkAtSendTime, type NotificationRef } from './orchestration.js';
import { loadForSend, prepareLoaded, type PrepareResult } from './prepare.js';

export function createSingleSendActivities(deps: ActivityDeps) {
  return {
    /** Validation failure or a plan that cannot be made: `ok: false` with the reason; nothing is marked sending then. */
    async beginSingleSend(ref: NotificationRef): Promise<PrepareResult> {
      const loaded = await loadForSend(deps, ref);
      if (!loaded.ok) return loaded;
      const checked = await checkAtSendTime(deps, loaded.n, loaded.version);
      if (!checked.ok) return checked;
      return prepareLoaded(deps, loaded.n, loaded.version);
    },
  };
}
