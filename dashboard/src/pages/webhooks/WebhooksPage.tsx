import { useState } from 'react';
import type { WebhookEndpoint, WebhookEndpointWithSecret } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { SecretNotice } from './SecretNotice';
import { WebhookForm } from './WebhookForm';
import { WebhookTable } from './WebhookTable';

export function WebhooksPage() {
  const { t } = useI18n();
  const { api, can } = useSession();
  const endpoints = useLoad(() => api.listWebhooks(), [], { endpoint: 'GET /v1/webhooks', collection: true });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function act(run: () => Promise<unknown>) {
    setError(null);
    try {
      await run();
      endpoints.reload();
    } catch (err) {
      setError(err);
    }
  }
  const toggle = (e: WebhookEndpoint) => void act(() => api.patchWebhook(e.id, { enabled: !e.enabled }));
  const remove = (e: WebhookEndpoint) => {
    if (window.confirm(t('webhooks.confirmDelete', { url: e.url }))) void act(() => api.deleteWebhook(e.id));
  };

  return (
    <section>
      <PageHeader title={t('webhooks.title')}>
        {can.manage && !creating && (
          <button
            type="button"
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            {t('webhooks.new')}
          </button>
        )}
      </PageHeader>
      <p className="muted">{t('webhooks.intro')}</p>
      {creating && (
        <WebhookForm
          onCreated={(e) => {
            setCreated(e);
            setCreating(false);
            endpoints.reload();
          }}
          onClose={() => setCreating(false)}
        />
      )}
      {created && <SecretNotice endpoint={created} rotated={false} />}
      <ErrorNotice error={error} />
      <LoadView state={endpoints.state}>{(page) => <WebhookTable items={page.items} onToggle={can.manage ? toggle : undefined} onDelete={can.manage ? remove : undefined} />}</LoadView>
    </section>
  );
}
