import type { WebhookEndpoint } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

/** Enabled, failing since when, or disabled (by whom: a person, or Herald with its reason). */
export function EndpointState({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  const { t, formatTime } = useI18n();
  return (
    <>
      <span className={`badge ${e.enabled ? (e.failingSince ? 'warn' : 'good') : 'muted'}`} data-state={e.enabled ? 'enabled' : 'disabled'}>
        {t(e.enabled ? 'webhooks.state.enabled' : 'webhooks.state.disabled')}
      </span>
      {e.enabled && e.failingSince && <div className="muted small">{t('webhooks.failingSince', { time: formatTime(e.failingSince) })}</div>}
      {e.disabledReason && <div className="muted small">{e.disabledReason}</div>}
    </>
  );
}
