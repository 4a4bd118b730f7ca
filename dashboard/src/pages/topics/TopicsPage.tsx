// Self-service topics: categories the tenant lets users subscribe to themselves (in the
// preference center, or through the API with their inbox token). A send with `to.topics`
// reaches the subscribers. Keys with `manage` create, edit and delete topics here.
import { useState } from 'react';
import type { Topic } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadMore } from '../../components/LoadMore';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { usePaged } from '../../hooks/usePaged';
import { useI18n } from '../../i18n/I18nProvider';
import { TopicForm } from './TopicForm';
import { TopicTable } from './TopicTable';

export function TopicsPage() {
  const { t } = useI18n();
  const { api, can } = useSession();
  const list = usePaged((cursor) => api.listTopics(cursor), [], { endpoint: 'GET /v1/topics' });
  const [editing, setEditing] = useState<Topic | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function remove(topic: Topic) {
    if (!window.confirm(t('topics.confirmDelete', { id: topic.id, subscribers: topic.subscribers }))) return;
    setError(null);
    setBusy(topic.id);
    try {
      await api.deleteTopic(topic.id);
      if (editing?.id === topic.id) setEditing(null);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section>
      <PageHeader title={t('topics.title')}>
        <button type="button" className="secondary" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <p className="muted">{t('topics.intro')}</p>
      {can.manage && (
        <TopicForm
          key={editing?.id ?? 'new'}
          editing={editing}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <ErrorNotice error={error} />
      <LoadView state={list.state}>
        {(page) => (
          <>
            <TopicTable items={page.items} busy={busy} onEdit={can.manage ? setEditing : undefined} onDelete={can.manage ? (topic) => void remove(topic) : undefined} />
            <LoadMore cursor={page.nextCursor} onMore={list.more} busy={list.busy} />
          </>
        )}
      </LoadView>
    </section>
  );
}
