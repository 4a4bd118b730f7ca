import { useParams } from 'react-router';
import { useSession } from '../../auth/SessionProvider';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import type { User } from '../../api/types';
import { DeliveryLogTable } from './DeliveryLogTable';

const PROFILE = [
  ['recipients.col.name', (u: User) => u.name],
  ['recipients.col.email', (u: User) => u.email],
  ['recipients.col.phone', (u: User) => u.phone],
  ['recipients.col.locale', (u: User) => u.locale],
  ['recipients.col.timezone', (u: User) => u.timezone],
  ['recipients.groups', (u: User) => u.groups.join(', ')],
  ['recipients.modules', (u: User) => u.modules.join(', ')],
] as const;

/** One recipient: who they are, and everything Herald delivered to them (single and bulk sends alike), newest first. */
export function UserPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const id = useParams().id ?? '';
  const user = useLoad(() => api.getUser(id), [id], { endpoint: 'GET /v1/users/{id}' });
  const history = usePaged((cursor) => api.userDeliveries(id, cursor), [id], { endpoint: 'GET /v1/users/{id}/deliveries' });
  return (
    <section>
      <PageHeader title={t('user.title', { id })} />
      <LoadView state={user.state}>
        {(u) => (
          <dl className="facts card" data-testid="user-profile">
            {PROFILE.map(([label, value]) => (
              <div key={label}>
                <dt>{t(label)}</dt>
                <dd>{value(u) || '—'}</dd>
              </div>
            ))}
          </dl>
        )}
      </LoadView>
      <h2>{t('user.history')}</h2>
      <LoadView state={history.state}>
        {(page) => (
          <>
            <DeliveryLogTable items={page.items} />
            <LoadMore cursor={page.nextCursor} onMore={history.more} busy={history.busy} />
          </>
        )}
      </LoadView>
    </section>
  );
}
