import { useState } from 'react';
import type { ApiKey } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { ApiKeyTable } from './ApiKeyTable';
import { NewKeyForm } from './NewKeyForm';

export function ApiKeysPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const list = usePaged((cursor) => api.listApiKeys(cursor), [], { endpoint: 'GET /v1/api-keys' });
  const [error, setError] = useState<unknown>(null);

  async function revoke(k: ApiKey) {
    if (!window.confirm(t('keys.confirmRevoke', { name: k.name }))) return;
    setError(null);
    try {
      await api.revokeApiKey(k.id);
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section>
      <PageHeader title={t('keys.title')} />
      <NewKeyForm onCreated={list.reload} />
      <ErrorNotice error={error} />
      <LoadView state={list.state}>
        {(page) => (
          <>
            <ApiKeyTable items={page.items} onRevoke={(k) => void revoke(k)} />
            <LoadMore cursor={page.nextCursor} onMore={list.more} busy={list.busy} />
          </>
        )}
      </LoadView>
    </section>
  );
}
