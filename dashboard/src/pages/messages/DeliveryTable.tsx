import type { Delivery } from '../../api/types';
import { DeliveryStatusBadge } from '../../components/StatusBadge';
import { useI18n } from '../../i18n/I18nProvider';

export function DeliveryTable({ items }: { items: Delivery[] }) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('detail.noDeliveries')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="deliveries-table">
        <thead>
          <tr>
            <th>{t('detail.col.user')}</th>
            <th>{t('detail.col.channel')}</th>
            <th>{t('detail.col.address')}</th>
            <th>{t('detail.col.provider')}</th>
            <th>{t('detail.col.status')}</th>
            <th>{t('detail.col.attempts')}</th>
            <th>{t('detail.col.reason')}</th>
            <th>{t('detail.col.time')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} data-id={d.id} data-user={d.userId}>
              <td data-label={t('detail.col.user')}>{d.userId}</td>
              <td data-label={t('detail.col.channel')}>{t(`channel.${d.channel}`)}</td>
              <td data-label={t('detail.col.address')} className="mono">{d.address ?? '—'}</td>
              <td data-label={t('detail.col.provider')}>{d.provider ?? '—'}</td>
              <td data-label={t('detail.col.status')}>
                <DeliveryStatusBadge status={d.status} />
              </td>
              <td data-label={t('detail.col.attempts')}>{d.attempts}</td>
              <td data-label={t('detail.col.reason')} className="reason">
                {d.reason ?? '—'}
                {d.errorCode && <span className="muted mono"> ({d.errorCode})</span>}
              </td>
              <td data-label={t('detail.col.time')}>{formatTime(d.deliveredAt ?? d.sentAt ?? d.failedAt ?? d.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
