import { Link } from 'react-router';
import type { Notification } from '../../api/types';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { useI18n } from '../../i18n/I18nProvider';

export function MessageTable({ items }: { items: Notification[] }) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted" data-testid="messages-empty">{t('messages.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="messages-table">
        <thead>
          <tr>
            <th>{t('messages.col.created')}</th>
            <th>{t('messages.col.id')}</th>
            <th>{t('messages.col.template')}</th>
            <th>{t('messages.col.priority')}</th>
            <th>{t('messages.col.status')}</th>
            <th>{t('messages.col.recipients')}</th>
            <th>{t('messages.col.progress')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((n) => (
            <tr key={n.id} data-id={n.id}>
              <td data-label={t('messages.col.created')}>{formatTime(n.createdAt)}</td>
              <td data-label={t('messages.col.id')}>
                <Link to={`/messages/${encodeURIComponent(n.id)}`} className="mono">
                  {n.id}
                </Link>
              </td>
              <td data-label={t('messages.col.template')}>
                {n.template.key} <span className="muted">v{n.template.version}</span>
              </td>
              <td data-label={t('messages.col.priority')}>
                <span className={`priority ${n.priority}`}>{t(`priority.${n.priority}`)}</span>
              </td>
              <td data-label={t('messages.col.status')}>
                <StatusBadge status={n.status} />
              </td>
              <td data-label={t('messages.col.recipients')}>{n.counts.total || (n.to.userIds?.length ?? 0)}</td>
              <td data-label={t('messages.col.progress')}>
                <ProgressBar counts={n.counts} compact />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
