import type { WebhookEndpointWithSecret } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

/**
 * The signing secret from a create or rotate answer. It lives in the page's state only: the
 * API never returns it again, so leaving the page loses it for good.
 */
export function SecretNotice({ endpoint, rotated }: { endpoint: WebhookEndpointWithSecret; rotated: boolean }) {
  const { t, formatTime } = useI18n();
  return (
    <div className="notice good" data-testid="webhook-secret">
      <p>{t(rotated ? 'webhooks.secretRotated' : 'webhooks.secretCreated')}</p>
      <code className="secret">{endpoint.secret}</code>
      {rotated && endpoint.previousSecretExpiresAt && <p>{t('webhooks.previousSecretUntil', { time: formatTime(endpoint.previousSecretExpiresAt) })}</p>}
    </div>
  );
}
