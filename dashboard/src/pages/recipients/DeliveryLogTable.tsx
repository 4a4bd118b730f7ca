import { Link } from 'react-router';
import type { DeliveryLogEntry } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';
import { DeliveryCells, DeliveryHeaders } from '../messages/DeliveryCells';

/** Deliveries across notifications: each links to its message, and (with `showUser`) to its user's page. */
export function DeliveryLogTable({ items, showUser = false }: { items: DeliveryLogEntry[]; showUser?: boolean }) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted" data-testid="history-empty">{t('history.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="history-table">
        <thead>
          <tr>
            <th>{t('detail.col.time')}</th>
            <th>{t('history.col.message')}</th>
            {showUser && <th>{t('detail.col.user')}</th>}
            <DeliveryHeaders />
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} data-id={d.id} data-notification={d.notificationId} data-status={d.status}>
              <td data-label={t('detail.col.time')}>{formatTime(d.deliveredAt ?? d.sentAt ?? d.failedAt ?? d.createdAt)}</td>
              <td data-label={t('history.col.message')}>
                <Link to={`/messages/${encodeURIComponent(d.notificationId)}`}>{d.template}</Link>
              </td>
              {showUser && (
                <td data-label={t('detail.col.user')} className="mono">
                  <Link to={`/recipients/${encodeURIComponent(d.userId)}`}>{d.userId}</Link>
                </td>
              )}
              <DeliveryCells d={d} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
