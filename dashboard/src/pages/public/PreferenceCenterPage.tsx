// The recipient's preference center, reached by a signed link (POST
// /v1/users/{id}/preference-link) without an API key: per category, which channels they get,
// unsubscribing from a category altogether, and the tenant's self-service topics to subscribe to.
// Nothing but the link's token is sent.
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { createPublicApi } from '../../api/client';
import { ApiError, createHttp } from '../../api/http';
import type { PreferenceCenter } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { useI18n } from '../../i18n/I18nProvider';
import { TopicChoices } from './TopicChoices';

type State = { kind: 'loading' } | { kind: 'invalid' } | { kind: 'error'; error: unknown } | { kind: 'ok'; center: PreferenceCenter };

export function PreferenceCenterPage() {
  const { t, formatTime } = useI18n();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const api = useMemo(() => createPublicApi(createHttp(null)), []);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!token) {
      setState({ kind: 'invalid' });
      return;
    }
    api.getPreferenceCenter(token).then(
      (center) => setState({ kind: 'ok', center }),
      (err: unknown) => setState(err instanceof ApiError && (err.status === 401 || err.status === 400) ? { kind: 'invalid' } : { kind: 'error', error: err }),
    );
  }, [api, token]);

  /** `shown`: the page as it will be, shown at once while the server confirms. */
  async function change(body: Parameters<typeof api.putPreferenceCenter>[1], shown: PreferenceCenter) {
    setState({ kind: 'ok', center: shown });
    setBusy(true);
    setSaved(false);
    setError(null);
    try {
      setState({ kind: 'ok', center: await api.putPreferenceCenter(token, body) });
      setSaved(true);
    } catch (err) {
      setError(err);
      // Back to what the server holds.
      api.getPreferenceCenter(token).then((center) => setState({ kind: 'ok', center }), () => undefined);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="public-page">
      <header className="public-header">
        <strong>{t('app.name')}</strong>
        <LanguageSwitch />
      </header>
      <h1>{t('prefs.title')}</h1>
      {state.kind === 'loading' && <p className="muted" role="status">{t('common.loading')}</p>}
      {state.kind === 'invalid' && <p className="notice warn" data-testid="prefs-invalid">{t('prefs.invalid')}</p>}
      {state.kind === 'error' && <ErrorNotice error={state.error} />}
      {state.kind === 'ok' && (
        <>
          <p>{state.center.name ? t('prefs.greeting', { name: state.center.name }) : t('prefs.intro')}</p>
          {state.center.categories.length === 0 ? (
            state.center.topics.length === 0 && <p className="muted">{t('prefs.none')}</p>
          ) : (
            <div className="table-wrap">
              <table className="list prefs" data-testid="prefs-table">
                <thead>
                  <tr>
                    <th>{t('prefs.category')}</th>
                    {state.center.channels.map((c) => (
                      <th key={c}>{t(`channel.${c}`)}</th>
                    ))}
                    <th>{t('prefs.subscribed')}</th>
                  </tr>
                </thead>
                <tbody>
                  {state.center.categories.map((cat) => {
                    const unsubscribed = state.center.unsubscribed.includes(cat.category) || state.center.unsubscribed.includes('*');
                    return (
                      <tr key={cat.category} data-category={cat.category}>
                        <td data-label={t('prefs.category')}>
                          <strong>{cat.category}</strong>
                          {cat.mandatory && <span className="muted small"> · {t('prefs.mandatory')}</span>}
                        </td>
                        {state.center.channels.map((c) => (
                          <td key={c} data-label={t(`channel.${c}`)}>
                            <input
                              type="checkbox"
                              data-channel={c}
                              aria-label={`${cat.category} ${t(`channel.${c}`)}`}
                              checked={cat.channels[c] ?? true}
                              disabled={busy || cat.mandatory || unsubscribed}
                              onChange={(e) => {
                                const on = e.target.checked;
                                const shown = {
                                  ...state.center,
                                  categories: state.center.categories.map((x) => (x.category === cat.category ? { ...x, channels: { ...x.channels, [c]: on } } : x)),
                                };
                                void change({ categories: { [cat.category]: { [c]: on } } }, shown);
                              }}
                            />
                          </td>
                        ))}
                        <td data-label={t('prefs.subscribed')}>
                          {!cat.mandatory && (
                            <button
                              type="button"
                              className={unsubscribed ? 'small' : 'secondary small'}
                              data-action={unsubscribed ? 'resubscribe' : 'unsubscribe'}
                              disabled={busy}
                              onClick={() => {
                                const list = unsubscribed ? state.center.unsubscribed.filter((u) => u !== cat.category) : [...state.center.unsubscribed, cat.category];
                                void change({ unsubscribed: list }, { ...state.center, unsubscribed: list });
                              }}
                            >
                              {unsubscribed ? t('prefs.resubscribe') : t('prefs.unsubscribe')}
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          {state.center.topics.length > 0 && <TopicChoices center={state.center} busy={busy} onChange={(topic, on, shown) => void change({ topics: { [topic]: on } }, shown)} />}
          {saved && (
            <p className="notice good" data-testid="prefs-saved">
              {t('prefs.saved')}
            </p>
          )}
          <ErrorNotice error={error} />
          <p className="muted small">{t('prefs.expires', { time: formatTime(state.center.expiresAt) })}</p>
        </>
      )}
    </main>
  );
}
