import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/http';
import { useSessionState } from '../auth/SessionProvider';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useI18n } from '../i18n/I18nProvider';

export function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSessionState();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('signin.invalid') : t('signin.unreachable', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="signin">
      <form className="card" onSubmit={(e) => void submit(e)}>
        <div className="signin-head">
          <h1>{t('signin.title')}</h1>
          <LanguageSwitch />
        </div>
        <label>
          {t('signin.key')}
          <input name="apiKey" type="password" autoComplete="off" required value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? t('signin.checking') : t('signin.submit')}
        </button>
        {error && (
          <p className="notice error" role="alert">
            {error}
          </p>
        )}
        <p className="muted small">{t('signin.hint')}</p>
      </form>
    </div>
  );
}
