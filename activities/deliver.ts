// Stage 7: one delivery of one message to one recipient on one channel, guarded by the
// ledger so that however often Temporal runs this activity, the provider is asked once
// per successful send.
import { ApplicationFailure } from '@temporalio/common';
import type { SmtpConfig } from '../channels/smtp.js';
import type { EmailContent } from '../channels/types.js';
import { DeliveryError, DeliveryErrorType } from '../common/delivery-errors.js';
import type { DeliveryStatus } from '../common/statuses.js';
import { claimDelivery, completeDelivery, expireDeliveries, failDelivery, findDelivery, noteDeliveryRetry } from '../schema/queries/deliveries.js';
import { findNotification } from '../schema/queries/notifications.js';
import { findTemplateVersion } from '../schema/queries/templates.js';
import { findUser } from '../schema/queries/users.js';
import type { ActivityDeps } from './deps.js';
import { RenderError } from './render.js';

export interface DeliverInput {
  tenantId: string;
  deliveryId: string;
}

export interface DeliverResult {
  status: DeliveryStatus;
}

export interface FailDeliveryInput {
  deliveryId: string;
  reason: string;
}

const SMTP_DEFAULT_PROVIDER = 'smtp-default';

export function createDeliverActivities(deps: ActivityDeps) {
  async function loadMessage(tenantId: string, deliveryId: string) {
    const delivery = await findDelivery(deps.db, deliveryId);
    if (!delivery || delivery.tenant_id !== tenantId) throw ApplicationFailure.nonRetryable(`delivery ${deliveryId} not found`, 'NotFound');
    const n = await findNotification(deps.db, tenantId, delivery.notification_id);
    if (!n) throw ApplicationFailure.nonRetryable(`notification ${delivery.notification_id} not found`, 'NotFound');
    const version = await findTemplateVersion(deps.db, tenantId, n.template_key, n.template_version);
    if (!version) throw ApplicationFailure.nonRetryable(`template ${n.template_key} v${n.template_version} not found`, 'NotFound');
    return { delivery, notification: n, content: version.content };
  }

  async function giveUp(deliveryId: string, err: DeliveryError): Promise<never> {
    await failDelivery(deps.db, deliveryId, err.message, err.code ?? err.type);
    throw ApplicationFailure.create({ message: err.message, type: err.type, nonRetryable: true });
  }

  return {
    async deliver({ tenantId, deliveryId }: DeliverInput): Promise<DeliverResult> {
      const { delivery, notification, content } = await loadMessage(tenantId, deliveryId);
      if (!['pending', 'sending'].includes(delivery.status)) return { status: delivery.status as DeliveryStatus };
      if (notification.expires_at && notification.expires_at.getTime() <= Date.now()) {
        // Retries may run past the expiry; a time-limited message is then dropped, never late.
        await expireDeliveries(deps.db, notification.id, `expired at ${notification.expires_at.toISOString()} before it could be sent`, deliveryId);
        return { status: 'expired' };
      }
      if (delivery.channel !== 'email') {
        return giveUp(deliveryId, new DeliveryError(DeliveryErrorType.ProviderConfig, `no provider for channel ${delivery.channel}`));
      }
      const smtp: SmtpConfig | undefined = deps.defaultSmtp;
      const adapter = deps.channels.get('smtp');
      if (!smtp || !adapter) return giveUp(deliveryId, new DeliveryError(DeliveryErrorType.ProviderConfig, 'no email provider configured'));

      let rendered: EmailContent;
      try {
        // The recipient's own locale and time zone pick the variant and format dates/numbers.
        const user = await findUser(deps.db, tenantId, delivery.user_id);
        rendered = deps.renderer.render(content, 'email', { data: notification.data, locale: user?.locale, timezone: user?.timezone });
      } catch (err) {
        if (err instanceof RenderError) return giveUp(deliveryId, new DeliveryError(DeliveryErrorType.Content, err.message));
        throw err;
      }

      const claimed = await claimDelivery(deps.db, deliveryId, SMTP_DEFAULT_PROVIDER);
      if (!claimed) {
        const now = await findDelivery(deps.db, deliveryId);
        return { status: (now?.status ?? 'failed') as DeliveryStatus };
      }
      try {
        const result = await adapter.send(
          {
            channel: 'email',
            messageId: delivery.message_id,
            to: delivery.address ?? '',
            content: rendered,
            headers: { 'X-Herald-Notification': notification.id },
          },
          smtp,
        );
        await completeDelivery(deps.db, deliveryId, result.providerMessageId);
        return { status: 'sent' };
      } catch (err) {
        const de = err instanceof DeliveryError ? err : new DeliveryError(DeliveryErrorType.Network, (err as Error).message, { cause: err });
        if (de.permanent) return giveUp(deliveryId, de);
        await noteDeliveryRetry(deps.db, deliveryId, de.message, de.code ?? de.type);
        throw ApplicationFailure.create({
          message: de.message,
          type: de.type,
          ...(de.retryAfterMs !== undefined ? { nextRetryDelay: de.retryAfterMs } : {}),
        });
      }
    },

    /** Called by the workflow when retries are exhausted or the activity timed out for good. */
    async failDelivery({ deliveryId, reason }: FailDeliveryInput): Promise<void> {
      const current = await findDelivery(deps.db, deliveryId);
      // Keep the provider's last reason when there is one; it says more than "retries exhausted".
      const detail = current?.reason ? `${reason}; last error: ${current.reason}` : reason;
      await failDelivery(deps.db, deliveryId, detail, current?.error_code ?? null);
    },
  };
}
