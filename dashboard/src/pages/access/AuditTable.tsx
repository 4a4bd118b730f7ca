import type { AuditEntry } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

export function AuditTable({ items }: { items: AuditEntry[] }) {
  const { t, formatTime } = useI18n();
  return (
    <div className="table-wrap">
      <table className="list" data-testid="audit-table">
        <thead>
          <tr>
            <th>{t('audit.col.at')}</th>
            <th>{t('audit.col.actor')}</th>
            <th>{t('audit.col.action')}</th>
            <th>{t('audit.col.target')}</th>
            <th>{t('audit.col.details')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td data-label={t('audit.col.at')}>{formatTime(e.at)}</td>
              <td data-label={t('audit.col.actor')} className="mono">{e.actor}</td>
              <td data-label={t('audit.col.action')}>{e.action}</td>
              <td data-label={t('audit.col.target')} className="mono">
                {e.targetType}/{e.targetId}
              </td>
              <td data-label={t('audit.col.details')} className="mono small">
                {Object.keys(e.details).length ? JSON.stringify(e.details) : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
