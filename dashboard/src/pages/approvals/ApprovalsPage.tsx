import { useSession } from '../../auth/SessionProvider';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { ApprovalCard } from './ApprovalCard';

/** The approval queue is the notifications list filtered to `pending_approval`. */
export function ApprovalsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const list = usePaged((cursor) => api.listNotifications({ status: 'pending_approval', limit: 50, cursor }), [], {
    endpoint: 'GET /v1/notifications?status=pending_approval',
    refreshMs: 5000,
  });
  return (
    <section>
      <PageHeader title={t('approvals.title')}>
        <button type="button" className="secondary" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <p className="muted">{t('approvals.intro')}</p>
      <LoadView state={list.state}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">{t('approvals.empty')}</p>
          ) : (
            <>
              <div className="cards">
                {page.items.map((n) => (
                  <ApprovalCard key={n.id} notification={n} onDone={list.reload} />
                ))}
              </div>
              <LoadMore cursor={page.nextCursor} onMore={list.more} busy={list.busy} />
            </>
          )
        }
      </LoadView>
    </section>
  );
}
