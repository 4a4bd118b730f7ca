import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/I18nProvider';

export function ChartCard({ title, empty, children }: { title: string; empty: boolean; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="card chart">
      <h2>{title}</h2>
      {empty ? <p className="muted">{t('analytics.noData')}</p> : children}
    </div>
  );
}
