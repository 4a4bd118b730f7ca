import { SUMMARY_GROUP_BY, type SummaryGroupBy } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

export interface AnalyticsQuery {
  from: string;
  to: string;
  interval: 'hour' | 'day';
  groupBy: SummaryGroupBy;
}

export function AnalyticsControls({ query, onChange }: { query: AnalyticsQuery; onChange: (q: AnalyticsQuery) => void }) {
  const { t } = useI18n();
  return (
    <form className="filters card" onSubmit={(e) => e.preventDefault()}>
      <label>
        {t('analytics.from')}
        <input type="date" value={query.from} onChange={(e) => onChange({ ...query, from: e.target.value })} />
      </label>
      <label>
        {t('analytics.to')}
        <input type="date" value={query.to} onChange={(e) => onChange({ ...query, to: e.target.value })} />
      </label>
      <label>
        {t('analytics.interval')}
        <select value={query.interval} onChange={(e) => onChange({ ...query, interval: e.target.value as 'hour' | 'day' })}>
          <option value="hour">{t('analytics.hour')}</option>
          <option value="day">{t('analytics.day')}</option>
        </select>
      </label>
      <label>
        {t('analytics.groupBy')}
        <select value={query.groupBy} onChange={(e) => onChange({ ...query, groupBy: e.target.value as SummaryGroupBy })}>
          {SUMMARY_GROUP_BY.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}
