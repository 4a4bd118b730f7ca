import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { EndpointState } from './EndpointState';
import { RedeliverRangeForm } from './RedeliverRangeForm';
import { SecretNotice } from './SecretNotice';
import { WebhookAttemptsTable } from './WebhookAttemptsTable';
import { WebhookEventsTable } from './WebhookEventsTable';
import { WebhookForm } from './WebhookForm';

/** Attempts land while the page is open; a few seconds behind is close enough. */
const REFRESH_MS = 3000;

function EndpointFacts({ e }: { e: WebhookEndpoint }) {
  const { t, formatTime } = useI18n();
  return (
    <dl className="facts" data-testid="webhook-facts">
      <div>
        <dt>{t('webhooks.col.id')}</dt>
        <dd className="mono">{e.id}</dd>
      </div>
      <div>
        <dt>{t('webhooks.col.url')}</dt>
        <dd className="mono">{e.url}</dd>
      </div>
      <div>
        <dt>{t('webhooks.description')}</dt>
        <dd>{e.description ?? t('common.none')}</dd>
      </div>
      <div>
        <dt>{t('webhooks.col.state')}</dt>
        <dd>
          <EndpointState endpoint={e} />
        </dd>
      </div>
      <div>
        <dt>{t('webhooks.col.events')}</dt>
        <dd className="mono small">{e.eventTypes.join(', ')}</dd>
      </div>
      <div>
        <dt>{t('webhooks.col.created')}</dt>
        <dd>{formatTime(e.createdAt)}</dd>
      </div>
      <div>
        <dt>{t('webhooks.secret')}</dt>
        <dd>{e.previousSecretExpiresAt ? t('webhooks.previousSecretUntil', { time: formatTime(e.previousSecretExpiresAt) }) : t('webhooks.secretHidden')}</dd>
      </div>
    </dl>
  );
}

export function WebhookDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { api, can } = useSession();
  const navigate = useNavigate();
  const endpoint = useLoad(() => api.getWebhook(id), [id], { endpoint: 'GET /v1/webhooks/{id}' });
  const events = usePaged((cursor) => api.listWebhookDeliveries(id, cursor), [id], { endpoint: 'GET /v1/webhooks/{id}/deliveries', refreshMs: REFRESH_MS });
  const attempts = usePaged((cursor) => api.listWebhookAttempts(id, cursor), [id], { endpoint: 'GET /v1/webhooks/{id}/attempts', refreshMs: REFRESH_MS });
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | null>(null);
  const [queued, setQueued] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reloadAll = () => {
    endpoint.reload();
    events.reload();
    attempts.reload();
  };
  async function act(run: () => Promise<unknown>) {
    setError(null);
    try {
      await run();
      reloadAll();
    } catch (err) {
      setError(err);
    }
  }
  const afterQueued = (n: number) => {
    setQueued(n);
    reloadAll();
  };
  const redeliverOne = (d: WebhookDelivery) => void act(async () => afterQueued((await api.redeliverWebhook(id, { eventId: d.eventId })).queued));
  const rotate = () => {
    if (window.confirm(t('webhooks.confirmRotate'))) void act(async () => setSecret(await api.rotateWebhookSecret(id)));
  };
  const remove = (e: WebhookEndpoint) => {
    if (!window.confirm(t('webhooks.confirmDelete', { url: e.url }))) return;
    setError(null);
    api.deleteWebhook(id).then(() => navigate('/webhooks'), setError);
  };

  return (
    <section>
      <Link to="/webhooks" className="back">
        {t('webhooks.back')}
      </Link>
      <PageHeader title={t('webhooks.detailTitle')}>
        <button type="button" className="secondary" onClick={reloadAll}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <LoadView state={endpoint.state}>
        {(e) => (
          <div className="card">
            <EndpointFacts e={e} />
            {can.manage && (
              <div className="row">
                <button type="button" className="secondary" data-action="edit" onClick={() => setEditing(true)}>
                  {t('common.edit')}
                </button>
                <button type="button" className="secondary" data-action={e.enabled ? 'disable' : 'enable'} onClick={() => void act(() => api.patchWebhook(id, { enabled: !e.enabled }))}>
                  {t(e.enabled ? 'webhooks.disable' : 'webhooks.enable')}
                </button>
                <button type="button" className="secondary" data-action="rotate" onClick={rotate}>
                  {t('webhooks.rotate')}
                </button>
                <button type="button" className="secondary" data-action="delete" onClick={() => remove(e)}>
                  {t('common.delete')}
                </button>
              </div>
            )}
            {editing && (
              <WebhookForm
                endpoint={e}
                onSaved={() => {
                  setEditing(false);
                  reloadAll();
                }}
                onClose={() => setEditing(false)}
              />
            )}
            {secret && <SecretNotice endpoint={secret} rotated />}
          </div>
        )}
      </LoadView>
      <ErrorNotice error={error} />
      {queued !== null && (
        <p className="notice info" aria-live="polite" data-testid="redeliver-queued">
          {t('webhooks.queued', { n: queued })}
        </p>
      )}
      <h2>{t('webhooks.eventsTitle')}</h2>
      <LoadView state={events.state}>
        {(page) => (
          <>
            <WebhookEventsTable items={page.items} onRedeliver={can.manage ? redeliverOne : undefined} />
            <LoadMore cursor={page.nextCursor} onMore={events.more} busy={events.busy} />
          </>
        )}
      </LoadView>
      {can.manage && <RedeliverRangeForm endpointId={id} onQueued={afterQueued} />}
      <h2>{t('webhooks.attemptsTitle')}</h2>
      <LoadView state={attempts.state}>
        {(page) => (
          <>
            <WebhookAttemptsTable items={page.items} />
            <LoadMore cursor={page.nextCursor} onMore={attempts.more} busy={attempts.busy} />
          </>
        )}
      </LoadView>
    </section>
  );
}
