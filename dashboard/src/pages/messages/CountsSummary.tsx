import type { DeliveryCounts } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

const ORDER = ['total', 'pending', 'sent', 'delivered', 'failed', 'bounced', 'suppressed', 'expired', 'recalled'] as const;

export function CountsSummary({ counts }: { counts: DeliveryCounts }) {
  const { t } = useI18n();
  return (
    <dl className="counts" data-testid="counts">
      {ORDER.map((k) => (
        <div key={k} className={`count ${k}`} data-count={k}>
          <dt>{t(`counts.${k}`)}</dt>
          <dd>{counts[k]}</dd>
        </div>
      ))}
    </dl>
  );
}
