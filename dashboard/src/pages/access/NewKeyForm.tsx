import { useState, type FormEvent } from 'react';
import { SCOPES, type NewApiKey, type Scope } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';

// `system` can only be granted by a system key and is for operators, not for the dashboard.
const GRANTABLE = SCOPES.filter((s) => s !== 'system');

export function NewKeyForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (scopes.length === 0) return setError(new Error(t('keys.needScope')));
    setBusy(true);
    setError(null);
    try {
      setCreated(await api.createApiKey(name.trim(), scopes));
      setName('');
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (s: Scope) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));

  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="new-key">
      <div className="row">
        <label className="grow">
          {t('keys.name')}
          <input name="keyName" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <fieldset className="scopes">
          <legend>{t('keys.scopes')}</legend>
          {GRANTABLE.map((s) => (
            <label key={s} className="inline">
              <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} /> {t(`scope.${s}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={busy || !name.trim()}>
          {t('keys.create')}
        </button>
      </div>
      {created && (
        <div className="notice good" data-testid="created-key">
          <p>{t('keys.created', { name: created.name })}</p>
          <code className="secret">{created.key}</code>
        </div>
      )}
      <ErrorNotice error={error} />
    </form>
  );
}
