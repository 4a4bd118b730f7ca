// A single send's bookkeeping before delivery, in one step: load the notification and its
// template version once, check them, write the ledger rows (which marks the notification
// sending). Separate steps each cost a trip through the task queue and a workflow task, and
// each loaded the same rows again; as one local activity they cost none, which is most of a
// single send's latency when the provider is quick.
import { acceptedEvent, emitNotificationEvents } from '../events/notification-events.js';
import type { DeliveryDeps } from './deps.js';
import { loadForSend, prepareLoaded, type PrepareResult } from './prepare.js';
import { checkAtSendTime, type NotificationRef } from './send-checks.js';

/** Validation failure or a plan that cannot be made: `ok: false` with the reason; nothing is marked sending then. */
export async function beginSingleSend(deps: Pick<DeliveryDeps, 'db' | 'variables' | 'secretBox' | 'messageIdDomain' | 'tracker'>, ref: NotificationRef): Promise<PrepareResult> {
  const loaded = await loadForSend(deps, ref);
  if (!loaded.ok) return loaded;
  // The run started: the one place a single send due now says so (a later one validates first).
  await emitNotificationEvents(deps.db, ref.tenantId, [acceptedEvent(loaded.n)]);
  const checked = await checkAtSendTime(deps, loaded.n, loaded.version);
  if (!checked.ok) return checked;
  return prepareLoaded(deps, loaded.n, loaded.version);
}
