import type { DeliveryStatus, NotificationStatus } from '../api/types';
import { useI18n } from '../i18n/I18nProvider';

const TONE: Record<string, string> = {
  completed: 'good',
  sent: 'good',
  delivered: 'good',
  failed: 'bad',
  partially_failed: 'warn',
  rejected: 'bad',
  expired: 'muted',
  cancelled: 'muted',
  suppressed: 'muted',
  pending_approval: 'warn',
  paused: 'warn',
};

export function StatusBadge({ status }: { status: NotificationStatus }) {
  const { t } = useI18n();
  return <span className={`badge ${TONE[status] ?? 'info'}`} data-status={status}>{t(`status.${status}`)}</span>;
}

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  const { t } = useI18n();
  return <span className={`badge ${TONE[status] ?? 'info'}`} data-status={status}>{t(`dstatus.${status}`)}</span>;
}
