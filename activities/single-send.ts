// A single send's bookkeeping before delivery, as one local activity: validate, then write
// its ledger rows (which marks it sending in the same transaction). Separate activities each
// cost a trip through the task queue and a workflow task; run together inside the workflow
// task they cost none, which is most of a single send's latency when the provider is quick.
import type { NotificationRef, ValidationResult } from './orchestration.js';
import type { PrepareInput, PrepareResult } from './prepare.js';

export interface SingleSendParts {
  validateNotification(input: NotificationRef): Promise<ValidationResult>;
  prepareNotification(input: PrepareInput): Promise<PrepareResult>;
}

export function createSingleSendActivities(parts: SingleSendParts) {
  return {
    /** Validation failure or a plan that cannot be made: `ok: false` with the reason; nothing is marked sending then. */
    async beginSingleSend({ tenantId, notificationId }: NotificationRef): Promise<PrepareResult> {
      const valid = await parts.validateNotification({ tenantId, notificationId });
      if (!valid.ok) return valid;
      return parts.prepareNotification({ tenantId, notificationId });
    },
  };
}
