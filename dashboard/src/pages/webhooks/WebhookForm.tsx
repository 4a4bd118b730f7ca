import { useState, type FormEvent } from 'react';
import type { WebhookEndpoint, WebhookEndpointWithSecret, WebhookEventType } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadView } from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { eventGroups, webhookEventTypes } from './eventTypes';

interface Props {
  /** The endpoint to edit; absent to create one. */
  endpoint?: WebhookEndpoint;
  onCreated?: (e: WebhookEndpointWithSecret) => void;
  onSaved?: (e: WebhookEndpoint) => void;
  onClose: () => void;
}

/** Create or edit an endpoint: URL, description, event types, enabled. The server checks the URL (outbound guard). */
export function WebhookForm({ endpoint, onCreated, onSaved, onClose }: Props) {
  const { t } = useI18n();
  const { api } = useSession();
  const doc = useLoad(() => api.openApiDocument(), [], { endpoint: 'GET /openapi.json' });
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [types, setTypes] = useState<WebhookEventType[]>(endpoint?.eventTypes ?? []);
  const [enabled, setEnabled] = useState(endpoint?.enabled ?? true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (types.length === 0) return setError(new Error(t('webhooks.needEventType')));
    setBusy(true);
    setError(null);
    const body = { url: url.trim(), eventTypes: types, enabled, description: description.trim() || null };
    try {
      if (endpoint) onSaved?.(await api.patchWebhook(endpoint.id, body));
      else onCreated?.(await api.createWebhook(body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (type: WebhookEventType) => setTypes((cur) => (cur.includes(type) ? cur.filter((x) => x !== type) : [...cur, type]));

  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="webhook-form" aria-label={t(endpoint ? 'webhooks.editTitle' : 'webhooks.newTitle')}>
      <h2>{t(endpoint ? 'webhooks.editTitle' : 'webhooks.newTitle')}</h2>
      <label>
        {t('webhooks.url')}
        <input name="url" type="url" required maxLength={2000} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.example.com/herald" />
      </label>
      <p className="muted small">{t('webhooks.urlHint')}</p>
      <label>
        {t('webhooks.description')}
        <input name="description" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <LoadView state={doc.state}>
        {(d) => (
          <fieldset className="event-types">
            <legend>{t('webhooks.eventTypes')}</legend>
            {eventGroups(webhookEventTypes(d)).map(([group, members]) => (
              <div key={group} className="row">
                {members.map((type) => (
                  <label key={type} className="inline mono">
                    <input type="checkbox" name="eventType" value={type} checked={types.includes(type)} onChange={() => toggle(type)} /> {type}
                  </label>
                ))}
              </div>
            ))}
          </fieldset>
        )}
      </LoadView>
      <label className="inline">
        <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> {t('webhooks.enabled')}
      </label>
      <div className="row">
        <button type="submit" disabled={busy || !url.trim()}>
          {t(endpoint ? 'common.save' : 'webhooks.create')}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
