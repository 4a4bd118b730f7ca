import { useState } from 'react';
import type { User } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { AddressSearch } from './AddressSearch';
import { IdList } from './IdList';
import { ImportPanel } from './ImportPanel';
import { UserEditor } from './UserEditor';
import { UserLookup } from './UserLookup';
import { UserTable } from './UserTable';

export function RecipientsPage() {
  const { t } = useI18n();
  const { api, can } = useSession();
  const users = usePaged((cursor) => api.listUsers(cursor), [], { endpoint: 'GET /v1/users' });
  const groups = useLoad(() => api.listGroups(), [], { endpoint: 'GET /v1/groups', collection: true });
  const modules = useLoad(() => api.listModules(), [], { endpoint: 'GET /v1/modules', collection: true });
  // undefined: no editor open; null: a new user.
  const [editing, setEditing] = useState<User | null | undefined>(undefined);
  const reloadAll = () => {
    users.reload();
    groups.reload();
    modules.reload();
  };
  const open = (u: User | null) => {
    // A fresh read: the list row may be older than the user.
    if (u) void api.getUser(u.id).then(setEditing, () => setEditing(u));
    else setEditing(null);
  };

  return (
    <section>
      <PageHeader title={t('recipients.title')}>
        {can.manage && (
          <button type="button" onClick={() => open(null)}>
            {t('userEditor.new')}
          </button>
        )}
      </PageHeader>
      {editing !== undefined && (
        <UserEditor
          key={editing?.id ?? '(new)'}
          user={editing}
          onSaved={(u) => {
            setEditing(u);
            reloadAll();
          }}
          onClose={() => setEditing(undefined)}
        />
      )}
      <UserLookup />
      <AddressSearch />
      {can.manage && <ImportPanel onImported={reloadAll} />}
      <h2>{t('recipients.users')}</h2>
      <LoadView state={users.state}>
        {(page) => (
          <>
            <UserTable items={page.items} onEdit={(u) => open(u)} />
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
