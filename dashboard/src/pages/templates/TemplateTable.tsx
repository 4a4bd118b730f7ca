import { Link } from 'react-router';
import type { Template } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

export function TemplateTable({ items }: { items: Template[] }) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('templates.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="templates-table">
        <thead>
          <tr>
            <th>{t('templates.col.key')}</th>
            <th>{t('templates.col.name')}</th>
            <th>{t('templates.col.channels')}</th>
            <th>{t('templates.col.published')}</th>
            <th>{t('templates.col.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((tpl) => (
            <tr key={tpl.key}>
              <td data-label={t('templates.col.key')}>
                <Link to={`/templates/${encodeURIComponent(tpl.key)}`} className="mono">
                  {tpl.key}
                </Link>
              </td>
              <td data-label={t('templates.col.name')}>{tpl.name ?? '—'}</td>
              <td data-label={t('templates.col.channels')}>{tpl.channels.map((c) => t(`channel.${c}`)).join(', ')}</td>
              <td data-label={t('templates.col.published')}>{tpl.publishedVersion ?? t('templates.unpublished')}</td>
              <td data-label={t('templates.col.updated')}>{formatTime(tpl.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
