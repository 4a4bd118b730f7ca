import type { Schedule } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

interface Props {
  items: Schedule[];
  /** Absent when the key may not change schedules (scope send). */
  onPause?: (s: Schedule, paused: boolean) => void;
  onDelete?: (s: Schedule) => void;
  busy?: string | null;
}

export function ScheduleTable({ items, onPause, onDelete, busy = null }: Props) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('common.empty')}</p>;
  const actions = Boolean(onPause || onDelete);
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
            {actions && <th />}
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} data-id={s.id} data-paused={String(s.paused)}>
              <td data-label={t('schedules.col.id')} className="mono">{s.id}</td>
              <td data-label={t('schedules.col.cron')} className="mono">
                {s.cron ?? t('schedules.every', { seconds: s.everySeconds ?? 0 })}
              </td>
              <td data-label={t('schedules.col.timezone')}>{s.timezone}</td>
              <td data-label={t('schedules.col.template')}>{typeof s.notification.template === 'string' ? s.notification.template : '—'}</td>
              <td data-label={t('schedules.col.next')}>{s.paused ? '—' : formatTime(s.nextFireTimes[0])}</td>
              <td data-label={t('schedules.col.state')}>
                <span className={`badge ${s.paused ? 'warn' : 'good'}`} data-state={s.paused ? 'paused' : 'active'}>
                  {s.paused ? t('schedules.paused') : t('schedules.active')}
                </span>
              </td>
              {actions && (
                <td className="row-actions">
                  {onPause && (
                    <button type="button" className="secondary small" data-action={s.paused ? 'resume' : 'pause'} disabled={busy === s.id} onClick={() => onPause(s, !s.paused)}>
                      {s.paused ? t('schedules.resume') : t('schedules.pause')}
                    </button>
                  )}
                  {onDelete && (
                    <button type="button" className="danger small" disabled={busy === s.id} onClick={() => onDelete(s)}>
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
