import type { Topic } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

interface Props {
  items: Topic[];
  /** Absent when the key may not change topics (no `manage`). */
  onEdit?: ((topic: Topic) => void) | undefined;
  onDelete?: ((topic: Topic) => void) | undefined;
  busy?: string | null;
}

export function TopicTable({ items, onEdit, onDelete, busy = null }: Props) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted" data-testid="topics-empty">{t('topics.none')}</p>;
  const actions = Boolean(onEdit || onDelete);
  return (
    <div className="table-wrap">
      <table className="list" data-testid="topics-table">
        <thead>
          <tr>
            <th>{t('topics.id')}</th>
            <th>{t('topics.name')}</th>
            <th>{t('topics.description')}</th>
            <th>{t('topics.subscribers')}</th>
            <th>{t('topics.updated')}</th>
            {actions && <th>{t('topics.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((topic) => (
            <tr key={topic.id} data-id={topic.id}>
              <td data-label={t('topics.id')} className="mono">{topic.id}</td>
              <td data-label={t('topics.name')}>{topic.name}</td>
              <td data-label={t('topics.description')}>{topic.description ?? '—'}</td>
              <td data-label={t('topics.subscribers')} data-testid="topic-subscribers">{topic.subscribers}</td>
              <td data-label={t('topics.updated')}>{formatTime(topic.updatedAt)}</td>
              {actions && (
                <td className="row-actions">
                  {onEdit && (
                    <button type="button" className="secondary small" data-action="edit" aria-label={t('topics.editOne', { id: topic.id })} onClick={() => onEdit(topic)}>
                      {t('common.edit')}
                    </button>
                  )}
                  {onDelete && (
                    <button type="button" className="danger small" data-action="delete" aria-label={t('topics.deleteOne', { id: topic.id })} disabled={busy === topic.id} onClick={() => onDelete(topic)}>
                      {t('common.delete')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
