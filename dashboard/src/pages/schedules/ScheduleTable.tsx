import type { Schedule } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

interface Props {
  items: Schedule[];
  /** Absent when the key may not change schedules (scope send). */
  onPause?: (s: Schedule, paused: boolean) => void;
  onDelete?: (s: Schedule) => void;
  /** Absent without the `approve` scope; never offered to the key that created the schedule (`keyId`). */
  onApprove?: (s: Schedule) => void;
  keyId?: string | null;
  busy?: string | null;
}

export function ScheduleTable({ items, onPause, onDelete, onApprove, keyId = null, busy = null }: Props) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('common.empty')}</p>;
  const actions = Boolean(onPause || onDelete || onApprove);
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
            <th>{t('schedules.col.version')}</th>
            <th>{t('schedules.col.approval')}</th>
            {actions && <th />}
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} data-id={s.id} data-paused={String(s.paused)} data-approved-version={s.approval?.version ?? ''}>
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
              <td data-label={t('schedules.col.version')}>{s.version}</td>
              <td data-label={t('schedules.col.approval')} className="approval">
                {s.approval
                  ? t(s.approval.version === s.version ? 'schedules.approved' : 'schedules.approvedOlder', { version: s.approval.version, by: s.approval.approvedBy, at: formatTime(s.approval.approvedAt) })
                  : t('schedules.notApproved')}
              </td>
              {actions && (
                <td className="row-actions">
                  {onPause && (
                    <button type="button" className="secondary small" data-action={s.paused ? 'resume' : 'pause'} disabled={busy === s.id} onClick={() => onPause(s, !s.paused)}>
                      {s.paused ? t('schedules.resume') : t('schedules.pause')}
                    </button>
                  )}
                  {onApprove && s.createdBy !== keyId && s.approval?.version !== s.version && (
                    <button type="button" className="small" data-action="approve" disabled={busy === s.id} onClick={() => onApprove(s)}>
                      {t('schedules.approve', { version: s.version })}
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
