import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/http';
import type { User } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JsonBlock } from '../../components/JsonBlock';
import { useI18n } from '../../i18n/I18nProvider';

/** GET /v1/users/{id} exists today even where the user list does not. */
export function UserLookup() {
  const { t } = useI18n();
  const { api } = useSession();
  const [id, setId] = useState('');
  const [user, setUser] = useState<User | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setUser(null);
    setMissing(false);
    setError(null);
    try {
      setUser(await api.getUser(id.trim()));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && !err.routeMissing) setMissing(true);
      else setError(err);
    }
  }

  return (
    <form className="card" onSubmit={(e) => void submit(e)}>
      <div className="row">
        <label className="grow">
          {t('recipients.lookup')}
          <input name="userId" value={id} placeholder={t('recipients.userId')} onChange={(e) => setId(e.target.value)} />
        </label>
        <button type="submit" disabled={!id.trim()}>
          {t('common.open')}
        </button>
      </div>
      {missing && <p className="muted">{t('recipients.notFound')}</p>}
      {user && <JsonBlock value={user} />}
      <ErrorNotice error={error} />
    </form>
  );
}
