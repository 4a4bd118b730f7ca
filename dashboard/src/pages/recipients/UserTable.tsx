import { Link } from 'react-router';
import type { User } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

export function UserTable({ items, onEdit }: { items: User[]; onEdit?: (u: User) => void }) {
  const { t } = useI18n();
  if (items.length === 0) return <p className="muted">{t('common.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="users-table">
        <thead>
          <tr>
            <th>{t('recipients.col.id')}</th>
            <th>{t('recipients.col.name')}</th>
            <th>{t('recipients.col.email')}</th>
            <th>{t('recipients.col.phone')}</th>
            <th>{t('recipients.col.locale')}</th>
            <th>{t('recipients.col.timezone')}</th>
            <th>{t('recipients.groups')}</th>
            {onEdit && <th />}
          </tr>
        </thead>
        <tbody>
          {items.map((u) => (
            <tr key={u.id} data-id={u.id}>
              <td data-label={t('recipients.col.id')} className="mono">
                <Link to={`/recipients/${encodeURIComponent(u.id)}`}>{u.id}</Link>
              </td>
              <td data-label={t('recipients.col.name')}>{u.name ?? '—'}</td>
              <td data-label={t('recipients.col.email')}>{u.email ?? '—'}</td>
              <td data-label={t('recipients.col.phone')}>{u.phone ?? '—'}</td>
              <td data-label={t('recipients.col.locale')}>{u.locale ?? '—'}</td>
              <td data-label={t('recipients.col.timezone')}>{u.timezone ?? '—'}</td>
              <td data-label={t('recipients.groups')} className="mono small">{(u.groups ?? []).join(', ') || '—'}</td>
              {onEdit && (
                <td>
                  <button type="button" className="secondary small" data-action="edit" onClick={() => onEdit(u)}>
                    {t('common.edit')}
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
