import type { Delivery } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';
import { DeliveryCells, DeliveryHeaders } from './DeliveryCells';

export function DeliveryTable({ items }: { items: Delivery[] }) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('detail.noDeliveries')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="deliveries-table">
        <thead>
          <tr>
            <th>{t('detail.col.user')}</th>
            <DeliveryHeaders />
            <th>{t('detail.col.attempts')}</th>
            <th>{t('detail.col.time')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} data-id={d.id} data-user={d.userId}>
              <td data-label={t('detail.col.user')}>{d.userId}</td>
              <DeliveryCells d={d} />
              <td data-label={t('detail.col.attempts')}>{d.attempts}</td>
              <td data-label={t('detail.col.time')}>{formatTime(d.deliveredAt ?? d.sentAt ?? d.failedAt ?? d.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
