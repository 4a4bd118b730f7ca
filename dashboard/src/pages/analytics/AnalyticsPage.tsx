import { useState } from 'react';
import { useSession } from '../../auth/SessionProvider';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { AnalyticsControls, type AnalyticsQuery } from './AnalyticsControls';
import { ChartCard } from './ChartCard';
import { ProviderFailuresChart } from './ProviderFailuresChart';
import { failuresByProvider, overallRows, pivotTotals } from './series';
import { TimeChart } from './TimeChart';

const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const localDayStart = (s: string, plus = 0) => {
  const [y, m, d] = s.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plus).toISOString();
};

export function AnalyticsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const [query, setQuery] = useState<AnalyticsQuery>(() => ({ from: day(new Date(Date.now() - 6 * 86_400_000)), to: day(new Date()), interval: 'hour', groupBy: 'channel' }));
  const range = { from: localDayStart(query.from), to: localDayStart(query.to, 1), interval: query.interval };
  const key = JSON.stringify(query);
  const opts = { endpoint: 'GET /v1/analytics/summary', collection: true };
  // Percentiles cannot be merged across groups, so the overall figures come from their own query.
  const overall = useLoad(() => api.analyticsSummary(range), [key], opts);
  const grouped = useLoad(() => api.analyticsSummary({ ...range, groupBy: query.groupBy }), [key], opts);
  const providers = useLoad(() => api.analyticsSummary({ ...range, groupBy: 'provider' }), [key], opts);

  return (
    <section>
      <PageHeader title={t('analytics.title')} />
      <AnalyticsControls query={query} onChange={setQuery} />
      <LoadView state={overall.state}>
        {(summary) => {
          const rows = overallRows(summary.buckets);
          return (
            <div className="charts">
              <LoadView state={grouped.state}>
                {(g) => {
                  const pivot = pivotTotals(g.buckets);
                  return (
                    <ChartCard title={t('analytics.volume')} empty={pivot.rows.length === 0}>
                      <TimeChart rows={pivot.rows} keys={pivot.groups} kind="stacked-bar" />
                    </ChartCard>
                  );
                }}
              </LoadView>
              <ChartCard title={t('analytics.rate')} empty={rows.every((r) => r.rate === null)}>
                <TimeChart rows={rows} keys={['rate']} kind="line" unit="%" />
              </ChartCard>
              <ChartCard title={t('analytics.latency')} empty={rows.every((r) => r.p50 === null)}>
                <TimeChart rows={rows} keys={['p50', 'p95', 'p99']} kind="line" />
              </ChartCard>
              <LoadView state={providers.state}>
                {(p) => {
                  const failures = failuresByProvider(p.buckets);
                  return (
                    <ChartCard title={t('analytics.failures')} empty={failures.length === 0}>
                      <ProviderFailuresChart rows={failures} />
                    </ChartCard>
                  );
                }}
              </LoadView>
              <ChartCard title={t('analytics.optOuts')} empty={rows.every((r) => !r.suppressed)}>
                <TimeChart rows={rows} keys={['suppressed']} kind="stacked-bar" />
              </ChartCard>
            </div>
          );
        }}
      </LoadView>
    </section>
  );
}
