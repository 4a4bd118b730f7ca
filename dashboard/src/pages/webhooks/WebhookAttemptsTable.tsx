import type { WebhookAttempt } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

/** Every attempt to reach the endpoint, newest first: HTTP status or error, latency, the answer's start. */
export function WebhookAttemptsTable({ items }: { items: WebhookAttempt[] }) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('webhooks.noAttempts')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="webhook-attempts">
        <thead>
          <tr>
            <th>{t('webhooks.col.time')}</th>
            <th>{t('webhooks.col.eventId')}</th>
            <th>{t('webhooks.col.result')}</th>
            <th>{t('webhooks.col.latency')}</th>
            <th>{t('webhooks.col.response')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => {
            const ok = a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300;
            return (
              <tr key={a.id} data-event-id={a.eventId}>
                <td data-label={t('webhooks.col.time')}>{formatTime(a.at)}</td>
                <td data-label={t('webhooks.col.eventId')} className="mono small">{a.eventId}</td>
                <td data-label={t('webhooks.col.result')} className="result">
                  <span className={`badge ${ok ? 'good' : 'bad'}`} data-status-code={a.statusCode ?? ''}>
                    {a.statusCode === null ? t('webhooks.noAnswer') : `HTTP ${a.statusCode}`}
                  </span>
                  {/* For an HTTP answer the error only repeats its status. */}
                  {a.statusCode === null && a.error && <div className="muted small">{a.error}</div>}
                </td>
                <td data-label={t('webhooks.col.latency')} className="latency">{t('webhooks.ms', { n: a.latencyMs })}</td>
                <td data-label={t('webhooks.col.response')} className="mono small excerpt">{a.responseExcerpt ?? t('common.none')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
