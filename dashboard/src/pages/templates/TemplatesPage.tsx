import { useSession } from '../../auth/SessionProvider';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { OpenTemplateForm } from './OpenTemplateForm';
import { TemplateTable } from './TemplateTable';

export function TemplatesPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const list = usePaged((cursor) => api.listTemplates(cursor), [], { endpoint: 'GET /v1/templates' });
  return (
    <section>
      <PageHeader title={t('templates.title')} />
      <OpenTemplateForm />
      <LoadView state={list.state}>
        {(page) => (
          <>
            <TemplateTable items={page.items} />
            <LoadMore cursor={page.nextCursor} onMore={list.more} busy={list.busy} />
          </>
        )}
      </LoadView>
    </section>
  );
}
