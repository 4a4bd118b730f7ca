import type { Schedule } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

export function ScheduleTable({ items, onDelete }: { items: Schedule[]; onDelete?: (s: Schedule) => void }) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('common.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="list" data-testid="schedules-table">
        <thead>
          <tr>
            <th>{t('schedules.col.id')}</th>
            <th>{t('schedules.col.cron')}</th>
            <th>{t('schedules.col.timezone')}</th>
            <th>{t('schedules.col.template')}</th>
            <th>{t('schedules.col.next')}</th>
            <th>{t('schedules.col.state')}</th>
            {onDelete && <th />}
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id}>
              <td data-label={t('schedules.col.id')} className="mono">{s.id}</td>
              <td data-label={t('schedules.col.cron')} className="mono">{s.cron}</td>
              <td data-label={t('schedules.col.timezone')}>{s.timezone}</td>
              <td data-label={t('schedules.col.template')}>{s.notification?.template ?? '—'}</td>
              <td data-label={t('schedules.col.next')}>{formatTime(s.nextRunAt)}</td>
              <td data-label={t('schedules.col.state')}>{s.paused ? t('schedules.paused') : t('schedules.active')}</td>
              {onDelete && (
                <td>
                  <button type="button" className="danger small" onClick={() => onDelete(s)}>
                    {t('common.delete')}
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
