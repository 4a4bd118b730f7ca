import { useState, type FormEvent } from 'react';
import type { Topic } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';

// The same rule as the API's category names; the server checks it again and names the field.
const TOPIC_ID = '[A-Za-z0-9][A-Za-z0-9._:\\-]*';

/** Creates a topic, or replaces the one being edited (its id stays). */
export function TopicForm({ editing, onSaved, onCancel }: { editing: Topic | null; onSaved: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [id, setId] = useState(editing?.id ?? '');
  const [name, setName] = useState(editing?.name ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const topic = await api.putTopic(id.trim(), { name: name.trim(), description: description.trim() || null });
      setSaved(topic.id);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="topic-form" aria-label={editing ? t('topics.editTitle', { id: editing.id }) : t('topics.newTitle')}>
      <h2>{editing ? t('topics.editTitle', { id: editing.id }) : t('topics.newTitle')}</h2>
      <div className="row">
        <label>
          {t('topics.id')}
          <input name="topicId" required maxLength={64} pattern={TOPIC_ID} value={id} readOnly={editing !== null} onChange={(e) => setId(e.target.value)} aria-describedby="topic-id-hint" />
        </label>
        <label className="grow">
          {t('topics.name')}
          <input name="topicName" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
      </div>
      <p className="muted small" id="topic-id-hint">
        {t('topics.idHint')}
      </p>
      <label>
        {t('topics.description')}
        <input name="topicDescription" maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <div className="row">
        <button type="submit" disabled={busy || !id.trim() || !name.trim()}>
          {t('topics.save')}
        </button>
        {editing && (
          <button type="button" className="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
      {saved && (
        <p className="notice good" role="status" data-testid="topic-saved">
          {t('topics.saved', { id: saved })}
        </p>
      )}
      <ErrorNotice error={error} />
    </form>
  );
}
