// The notification's timeline from GET /v1/notifications/{id}/events: every state change,
// policy decision (with its reason) and attempt, oldest first.
import type { TimelineEntry } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

const TONE: Record<string, string> = {
  sent: 'good',
  delivered: 'good',
  opened: 'good',
  clicked: 'good',
  failed: 'bad',
  bounced: 'bad',
  complained: 'bad',
  attempt_failed: 'warn',
  deferred: 'warn',
  target_removed: 'warn',
  suppressed: 'muted',
  expired: 'muted',
  recalled: 'muted',
};

export function Timeline({ items }: { items: TimelineEntry[] }) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('timeline.empty')}</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {items.map((e) => (
        <li key={e.id} data-event={e.event}>
          <time dateTime={e.at} className="muted">
            {formatTime(e.at)}
          </time>
          <span className={`badge ${TONE[e.event] ?? 'info'}`}>{e.event}</span>
          <span className="timeline-what">
            {[e.userId, e.channel, e.provider, e.attempt !== null ? t('timeline.attempt', { n: e.attempt }) : null].filter(Boolean).join(' · ')}
          </span>
          {(e.reason || e.errorCode) && <span className="timeline-reason">{[e.errorCode, e.reason].filter(Boolean).join(': ')}</span>}
          {typeof e.details?.action === 'string' && <span className="timeline-reason">{t('timeline.action', { id: e.details.action })}</span>}
        </li>
      ))}
    </ol>
  );
}
