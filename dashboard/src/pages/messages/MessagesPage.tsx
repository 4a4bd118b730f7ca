import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useSession } from '../../auth/SessionProvider';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { filtersFromParams, filtersToParams, toApiFilter } from './filters';
import { MessageFilters } from './MessageFilters';
import { MessageTable } from './MessageTable';

export function MessagesPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const [params, setParams] = useSearchParams();
  const [live, setLive] = useState(true);
  const values = useMemo(() => filtersFromParams(params), [params]);
  const filter = useMemo(() => toApiFilter(values), [values]);
  const list = usePaged((cursor) => api.listNotifications({ ...filter, limit: 50, cursor }), [JSON.stringify(filter)], {
    endpoint: 'GET /v1/notifications',
    refreshMs: live ? 3000 : undefined,
  });

  return (
    <section>
      <PageHeader title={t('messages.title')}>
        <label className="inline">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> {t('messages.autoRefresh')}
        </label>
        <button type="button" className="secondary" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <MessageFilters values={values} onApply={(v) => setParams(filtersToParams(v))} />
      <LoadView state={list.state}>
        {(page) => (
          <>
            <MessageTable items={page.items} />
            <LoadMore cursor={page.nextCursor} onMore={list.more} busy={list.busy} />
          </>
        )}
      </LoadView>
    </section>
  );
}
