import { useSession } from '../../auth/SessionProvider';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { ProviderTable } from './ProviderTable';

export function ProvidersPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const providers = useLoad(() => api.listProviders(), [], { endpoint: 'GET /v1/providers', collection: true, refreshMs: 10_000 });
  return (
    <section>
      <PageHeader title={t('providers.title')} />
      <p className="muted">{t('providers.intro')}</p>
      <LoadView state={providers.state}>{(page) => <ProviderTable items={page.items} />}</LoadView>
    </section>
  );
}
