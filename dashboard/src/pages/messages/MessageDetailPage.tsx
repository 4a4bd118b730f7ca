import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useSession } from '../../auth/SessionProvider';
import { JsonBlock } from '../../components/JsonBlock';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { ProgressBar } from '../../components/ProgressBar';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { CountsSummary } from './CountsSummary';
import { DeliveryTable } from './DeliveryTable';
import { FINAL_STATUSES, NotificationActions } from './NotificationActions';
import { NotificationFacts } from './NotificationFacts';
import { RunProgress } from './RunProgress';
import { Timeline } from './Timeline';

export function MessageDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { api } = useSession();
  const [running, setRunning] = useState(false);
  const notification = useLoad(() => api.getNotification(id), [id], { endpoint: 'GET /v1/notifications/{id}', refreshMs: running ? 2000 : undefined });
  const status = notification.state.kind === 'ok' ? notification.state.data.status : null;
  // Poll while the run is in flight; a final status stops the polls (after one last load).
  useEffect(() => setRunning(status !== null && !FINAL_STATUSES.has(status)), [status]);
  const deliveries = useLoad(() => api.listDeliveries(id), [id, running], {
    endpoint: 'GET /v1/notifications/{id}/deliveries',
    refreshMs: running ? 2000 : undefined,
  });
  const events = useLoad(() => api.listEvents(id), [id, running], {
    endpoint: 'GET /v1/notifications/{id}/events',
    refreshMs: running ? 2000 : undefined,
  });
  // A bulk run's own view: whether it is paused (also while it still waits for approval).
  const bulkRunning = running && notification.state.kind === 'ok' && notification.state.data.kind === 'bulk';
  const progress = useLoad(() => (bulkRunning ? api.getProgress(id) : Promise.resolve(null)), [id, bulkRunning], {
    endpoint: 'GET /v1/notifications/{id}/progress',
    refreshMs: bulkRunning ? 2000 : undefined,
  });
  const paused = progress.state.kind === 'ok' && progress.state.data?.paused === true;
  const reloadAll = () => {
    notification.reload();
    progress.reload();
    deliveries.reload();
    events.reload();
  };

  return (
    <section>
      <Link to="/messages" className="back">
        {t('detail.back')}
      </Link>
      <PageHeader title={t('detail.title', { id })} />
      <LoadView state={notification.state}>
        {(n) => (
          <div className="detail">
            <div className="card">
              <NotificationFacts n={n} />
              <a className="temporal-link button-like" href={n.workflow.temporalUiUrl} target="_blank" rel="noopener noreferrer" data-testid="temporal-link">
                {t('detail.temporal')} ↗
              </a>
              <NotificationActions n={n} paused={paused} onChanged={reloadAll} />
            </div>
            <div className="card" data-testid="progress-card">
              <h2>{t('detail.progress')}</h2>
              <ProgressBar counts={n.counts} />
              {n.kind === 'bulk' && (n.status === 'sending' || n.status === 'paused') && <RunProgress id={n.id} />}
              <h2>{t('detail.counts')}</h2>
              <CountsSummary counts={n.counts} />
            </div>
            <div className="card span-all">
              <h2>{t('detail.deliveries')}</h2>
              <LoadView state={deliveries.state}>{(page) => <DeliveryTable items={page.items} />}</LoadView>
            </div>
            <div className="card span-all">
              <h2>{t('detail.timeline')}</h2>
              <LoadView state={events.state}>
                {(page) => (
                  <>
                    <Timeline items={page.items} />
                    {page.nextCursor && <p className="muted">{t('timeline.more')}</p>}
                  </>
                )}
              </LoadView>
            </div>
            <div className="card span-all">
              <h2>{t('detail.data')}</h2>
              <JsonBlock value={n.data} />
            </div>
          </div>
        )}
      </LoadView>
    </section>
  );
}
