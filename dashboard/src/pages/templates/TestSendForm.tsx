// Sends the published version by email to one address, through the normal notification
// path (POST /v1/templates/{key}/test-send), with the editor's sample data and locale.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';

interface Props {
  templateKey: string;
  data: Record<string, unknown> | null;
  locale: string;
  disabled: boolean;
}

export function TestSendForm({ templateKey, data, locale, disabled }: Props) {
  const { t } = useI18n();
  const { api } = useSession();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!data) return;
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      const n = await api.testSendTemplate(templateKey, { email: email.trim(), data, ...(locale.trim() ? { locale: locale.trim() } : {}) });
      setSent(n.id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" data-testid="test-send" onSubmit={(e) => void submit(e)}>
      <h2>{t('testSend.title')}</h2>
      <p className="muted small">{t('testSend.hint')}</p>
      <div className="row">
        <label className="grow">
          {t('testSend.email')}
          <input name="testEmail" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || disabled || !data || !email.trim()}>
          {t('testSend.send')}
        </button>
      </div>
      {sent && (
        <p className="notice good" data-testid="test-sent">
          {t('testSend.sent')} <Link to={`/messages/${encodeURIComponent(sent)}`} className="mono">{sent}</Link>
        </p>
      )}
      <ErrorNotice error={error} />
    </form>
  );
}
