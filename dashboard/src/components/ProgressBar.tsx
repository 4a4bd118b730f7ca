import type { DeliveryCounts } from '../api/types';
import { useI18n } from '../i18n/I18nProvider';

/** Share of deliveries that reached a final state, split by how they ended. */
export function progressOf(c: DeliveryCounts): { done: number; percent: number } {
  const done = c.sent + c.delivered + c.failed + c.suppressed + c.expired;
  return { done, percent: c.total > 0 ? Math.round((done / c.total) * 100) : 0 };
}

export function ProgressBar({ counts, compact = false }: { counts: DeliveryCounts; compact?: boolean }) {
  const { t } = useI18n();
  const { done, percent } = progressOf(counts);
  const width = (n: number) => (counts.total > 0 ? `${(n / counts.total) * 100}%` : '0%');
  const label = t('detail.progressLabel', { done, total: counts.total, percent });
  return (
    <div className={compact ? 'progress compact' : 'progress'}>
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={label}>
        <span className="seg good" style={{ width: width(counts.sent + counts.delivered) }} />
        <span className="seg bad" style={{ width: width(counts.failed) }} />
        <span className="seg muted" style={{ width: width(counts.suppressed + counts.expired) }} />
      </div>
      {!compact && <span className="progress-label">{label}</span>}
    </div>
  );
}
