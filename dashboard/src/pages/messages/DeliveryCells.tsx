// The columns every delivery list shows: channel, address, provider, status, and the reason in plain words.
import type { Delivery } from '../../api/types';
import { DeliveryStatusBadge } from '../../components/StatusBadge';
import { useI18n } from '../../i18n/I18nProvider';
import { deliveryReason } from './deliveryReason';

export function DeliveryHeaders() {
  const { t } = useI18n();
  return (
    <>
      <th>{t('detail.col.channel')}</th>
      <th>{t('detail.col.address')}</th>
      <th>{t('detail.col.provider')}</th>
      <th>{t('detail.col.status')}</th>
      <th>{t('detail.col.reason')}</th>
    </>
  );
}

export function DeliveryCells({ d }: { d: Delivery }) {
  const { t, formatTime } = useI18n();
  // A suppression's code stays beside its sentence, as a failure's error code does.
  const code = d.errorCode ?? (d.status === 'suppressed' ? d.reason : null);
  return (
    <>
      <td data-label={t('detail.col.channel')}>{t(`channel.${d.channel}`)}</td>
      <td data-label={t('detail.col.address')} className="mono">{d.address ?? '—'}</td>
      <td data-label={t('detail.col.provider')}>{d.provider ?? '—'}</td>
      <td data-label={t('detail.col.status')}>
        <DeliveryStatusBadge status={d.status} />
      </td>
      <td data-label={t('detail.col.reason')} className="reason">
        {deliveryReason(d, t, formatTime) ?? '—'}
        {code && <span className="muted mono"> ({code})</span>}
      </td>
    </>
  );
}
