import { Link } from 'react-router';
import type { WebhookEndpoint } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';
import { EndpointState } from './EndpointState';

interface Props {
  items: WebhookEndpoint[];
  /** Absent for a key without `manage`. */
  onToggle?: (e: WebhookEndpoint) => void;
  onDelete?: (e: WebhookEndpoint) => void;
}

export function WebhookTable({ items, onToggle, onDelete }: Props) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('webhooks.none')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="webhooks-table">
        <thead>
          <tr>
            <th>{t('webhooks.col.url')}</th>
            <th>{t('webhooks.col.events')}</th>
            <th>{t('webhooks.col.state')}</th>
            <th>{t('webhooks.col.created')}</th>
            <th>
              <span className="sr-only">{t('webhooks.col.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} data-id={e.id}>
              <td data-label={t('webhooks.col.url')}>
                <Link to={`/webhooks/${encodeURIComponent(e.id)}`} className="mono">
                  {e.url}
                </Link>
                {e.description && <div className="muted small">{e.description}</div>}
              </td>
              <td data-label={t('webhooks.col.events')} className="mono small">
                {e.eventTypes.join(', ')}
              </td>
              <td data-label={t('webhooks.col.state')}>
                <EndpointState endpoint={e} />
              </td>
              <td data-label={t('webhooks.col.created')}>{formatTime(e.createdAt)}</td>
              <td className="row-actions">
                {onToggle && (
                  <button type="button" className="secondary small" data-action={e.enabled ? 'disable' : 'enable'} onClick={() => onToggle(e)}>
                    {t(e.enabled ? 'webhooks.disable' : 'webhooks.enable')}
                  </button>
                )}
                {onDelete && (
                  <button type="button" className="secondary small" data-action="delete" onClick={() => onDelete(e)}>
                    {t('common.delete')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
