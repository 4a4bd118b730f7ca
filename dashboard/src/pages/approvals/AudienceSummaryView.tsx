// The dry run an approver decides on (GET /v1/notifications/{id}/audience): who would be
// reached, per channel, what the policies would hold back and why, and how long it would take.
import type { AudienceSummary } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

function reasons(r: Record<string, number>): string {
  return Object.entries(r)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${why} ${n}`)
    .join(', ');
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${seconds % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function AudienceSummaryView({ a }: { a: AudienceSummary }) {
  const { t } = useI18n();
  const suppressed = reasons(a.suppressed);
  return (
    <div className="audience" data-testid="audience">
      <dl className="counts">
        <div className="count" data-audience="users">
          <dt>{t('audience.users')}</dt>
          <dd>{a.users}</dd>
        </div>
        <div className="count" data-audience="reached">
          <dt>{t('audience.reached')}</dt>
          <dd>{a.usersReached}</dd>
        </div>
        <div className="count" data-audience="estimate">
          <dt>{t('audience.estimate')}</dt>
          <dd>{formatDuration(a.estimatedSeconds)}</dd>
        </div>
      </dl>
      <table className="compact-table">
        <thead>
          <tr>
            <th>{t('detail.col.channel')}</th>
            <th>{t('audience.send')}</th>
            <th>{t('audience.deferred')}</th>
            <th>{t('audience.suppressed')}</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(a.channels).map(([channel, c]) => (
            <tr key={channel} data-channel={channel}>
              <td>{channel}</td>
              <td data-col="send">{c.send}</td>
              <td>{c.deferred}</td>
              <td>{reasons(c.suppressed) || '0'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {suppressed && <p className="muted">{t('audience.suppressedWhy', { reasons: suppressed })}</p>}
    </div>
  );
}
