import type { WebhookDelivery } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

const TONE = { pending: 'warn', delivered: 'good', failed: 'bad' } as const;

interface Props {
  items: WebhookDelivery[];
  /** Absent for a key without `manage`. */
  onRedeliver?: (d: WebhookDelivery) => void;
}

/** The endpoint's events, newest first, and where each delivery stands. */
export function WebhookEventsTable({ items, onRedeliver }: Props) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('webhooks.noEvents')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="webhook-events">
        <thead>
          <tr>
            <th>{t('webhooks.col.time')}</th>
            <th>{t('webhooks.col.type')}</th>
            <th>{t('webhooks.col.eventId')}</th>
            <th>{t('webhooks.col.status')}</th>
            <th>{t('webhooks.col.attempts')}</th>
            <th>{t('webhooks.col.when')}</th>
            {onRedeliver && (
              <th>
                <span className="sr-only">{t('webhooks.col.actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} data-event-id={d.eventId} data-status={d.status}>
              <td data-label={t('webhooks.col.time')}>{formatTime(d.eventAt)}</td>
              <td data-label={t('webhooks.col.type')} className="mono">{d.type}</td>
              <td data-label={t('webhooks.col.eventId')} className="mono small">{d.eventId}</td>
              <td data-label={t('webhooks.col.status')}>
                <span className={`badge ${TONE[d.status]}`}>{t(`webhooks.dstatus.${d.status}`)}</span>
              </td>
              <td data-label={t('webhooks.col.attempts')} className="attempt-count">{d.attempts}</td>
              <td data-label={t('webhooks.col.when')} className="small">
                {d.deliveredAt ? t('webhooks.deliveredAt', { time: formatTime(d.deliveredAt) }) : d.nextAttemptAt ? t('webhooks.nextAttemptAt', { time: formatTime(d.nextAttemptAt) }) : t('common.none')}
              </td>
              {onRedeliver && (
                <td>
                  <button type="button" className="secondary small" data-action="redeliver" aria-label={t('webhooks.redeliverEvent', { id: d.eventId })} onClick={() => onRedeliver(d)}>
                    {t('webhooks.redeliver')}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
