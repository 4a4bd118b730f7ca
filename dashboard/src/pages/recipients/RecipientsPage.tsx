import { useSession } from '../../auth/SessionProvider';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { IdList } from './IdList';
import { UserLookup } from './UserLookup';
import { UserTable } from './UserTable';

export function RecipientsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const users = usePaged((cursor) => api.listUsers(cursor), [], { endpoint: 'GET /v1/users' });
  const groups = useLoad(() => api.listGroups(), [], { endpoint: 'GET /v1/groups', collection: true });
  const modules = useLoad(() => api.listModules(), [], { endpoint: 'GET /v1/modules', collection: true });
  return (
    <section>
      <PageHeader title={t('recipients.title')} />
      <UserLookup />
      <h2>{t('recipients.users')}</h2>
      <LoadView state={users.state}>
        {(page) => (
          <>
            <UserTable items={page.items} />
            <LoadMore cursor={page.nextCursor} onMore={users.more} busy={users.busy} />
          </>
        )}
      </LoadView>
      <div className="two-col">
        <div>
          <h2>{t('recipients.groups')}</h2>
          <LoadView state={groups.state}>{(page) => <IdList items={page.items} />}</LoadView>
        </div>
        <div>
          <h2>{t('recipients.modules')}</h2>
          <LoadView state={modules.state}>{(page) => <IdList items={page.items} />}</LoadView>
        </div>
      </div>
    </section>
  );
}
