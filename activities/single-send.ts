// A single send's bookkeeping before delivery, as one local activity: validate, mark it
// sending, write its ledger rows. Three activities in a row each cost a trip through the
// task queue and a workflow task; run together inside the workflow task they cost none,
// which is most of a single send's latency when the provider answers quickly.
import type { FinalizeInput, SetStatusInput } from './finalize.js';
import type { NotificationRef, ValidationResult } from './orchestration.js';
import type { PrepareInput, PrepareResult } from './prepare.js';

export interface SingleSendParts {
  validateNotification(input: NotificationRef): Promise<ValidationResult>;
  setNotificationStatus(input: SetStatusInput): Promise<void>;
  prepareNotification(input: PrepareInput): Promise<PrepareResult>;
}

export function createSingleSendActivities(parts: SingleSendParts) {
  return {
    /** Validation failure or a plan that cannot be made: `ok: false` with the reason; nothing is marked sending then. */
    async beginSingleSend({ tenantId, notificationId }: FinalizeInput): Promise<PrepareResult> {
      const valid = await parts.validateNotification({ tenantId, notificationId });
      if (!valid.ok) return valid;
      await parts.setNotificationStatus({ tenantId, notificationId, status: 'sending' });
      return parts.prepareNotification({ tenantId, notificationId });
    },
  };
}
