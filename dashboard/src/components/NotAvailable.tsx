import { useI18n } from '../i18n/I18nProvider';

export function NotAvailable({ endpoint }: { endpoint: string }) {
  const { t } = useI18n();
  return (
    <div className="notice unavailable" data-testid="not-available">
      <strong>{t('common.unavailable')}</strong>
      <p>{t('common.unavailableHint', { endpoint })}</p>
    </div>
  );
}
