import { useState, type FormEvent } from 'react';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';

/** `datetime-local` wants local wall-clock time without a zone. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Sends every event of the endpoint in [from, to) again, each under its own webhook-id. */
export function RedeliverRangeForm({ endpointId, onQueued }: { endpointId: string; onQueued: (n: number) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const now = Date.now();
  const [from, setFrom] = useState(() => localInput(new Date(now - 3_600_000)));
  const [to, setTo] = useState(() => localInput(new Date(now + 60_000)));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const start = new Date(from);
    const end = new Date(to);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return setError(new Error(t('webhooks.rangeInvalid')));
    setBusy(true);
    setError(null);
    try {
      onQueued((await api.redeliverWebhook(endpointId, { from: start.toISOString(), to: end.toISOString() })).queued);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="redeliver-range" aria-label={t('webhooks.rangeTitle')}>
      <h2>{t('webhooks.rangeTitle')}</h2>
      <div className="row">
        <label>
          {t('webhooks.rangeFrom')}
          <input type="datetime-local" name="from" required value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('webhooks.rangeTo')}
          <input type="datetime-local" name="to" required value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          {t('webhooks.rangeSubmit')}
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
