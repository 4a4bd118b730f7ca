import { useSession } from '../../auth/SessionProvider';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { AuditTable } from './AuditTable';

export function AuditLogPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const list = usePaged((cursor) => api.listAudit(cursor), [], { endpoint: 'GET /v1/audit-log' });
  return (
    <section>
      <PageHeader title={t('audit.title')}>
        <button type="button" className="secondary" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <LoadView state={list.state}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">{t('common.empty')}</p>
          ) : (
            <>
              <AuditTable items={page.items} />
              <LoadMore cursor={page.nextCursor} onMore={list.more} busy={list.busy} />
            </>
          )
        }
      </LoadView>
    </section>
  );
}
