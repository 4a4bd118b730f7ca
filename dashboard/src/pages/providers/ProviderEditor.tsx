// Create a provider (PUT, the whole config) or edit one (PATCH, only what changed). Secrets
// are write-only: a stored one shows as "set" with an empty input, typed text replaces it.
// The kinds and each kind's fields come from the server's schema (providerKinds.ts).
import { useMemo, useState, type FormEvent } from 'react';
import { CHANNELS, type Channel, type Provider } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { providerFormOf, providerPatchOf, providerRequestOf, withKindFields, type ConfigField, type ProviderForm } from './providerForm';
import { kindsOf, type KindSpec, type OpenApiDocument } from './providerKinds';

interface Props {
  /** null: a new provider. */
  provider: Provider | null;
  onSaved: (p: Provider) => void;
  onClose: () => void;
}

export function ProviderEditor({ provider, onSaved, onClose }: Props) {
  const { t } = useI18n();
  const { api } = useSession();
  const [form, setForm] = useState<ProviderForm>(() => providerFormOf(provider));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const doc = useLoad(() => api.openApiDocument(), [], { endpoint: 'GET /openapi.json' });
  const kinds = useMemo<KindSpec[]>(() => (doc.state.kind === 'ok' ? kindsOf(doc.state.data as OpenApiDocument) : []), [doc.state]);
  const spec = kinds.find((k) => k.kind === form.kind);
  const fields = withKindFields(form.fields, spec);

  const update = (patch: Partial<ProviderForm>) => {
    setSaved(false);
    setForm((f) => ({ ...f, ...patch }));
  };
  const setField = (i: number, patch: Partial<ConfigField>) => update({ fields: fields.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  const chooseKind = (channel: Channel, kind: string) => update({ channel, kind, fields: form.fields.filter((f) => f.stored) });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const filled = { ...form, fields };
      const p = provider ? await api.patchProvider(provider.id, providerPatchOf(provider, filled)) : await api.putProvider(form.id.trim(), providerRequestOf(filled));
      setSaved(true);
      setForm(providerFormOf(p));
      onSaved(p);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card provider-editor" data-testid="provider-editor" onSubmit={(e) => void submit(e)} autoComplete="off">
      <div className="page-header">
        <h2>{provider ? t('providerEditor.title', { id: provider.id }) : t('providerEditor.new')}</h2>
        <button type="button" className="secondary small" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <fieldset disabled={busy}>
        <div className="row">
          <label className="grow">
            {t('providers.col.id')}
            <input name="id" required readOnly={provider !== null} value={form.id} onChange={(e) => update({ id: e.target.value })} />
          </label>
          <label>
            {t('providers.col.channel')}
            <select name="channel" disabled={provider !== null} value={form.channel} onChange={(e) => chooseKind(e.target.value as Channel, '')}>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`channel.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="grow">
            {t('providers.col.kind')}
            <select name="kind" required disabled={provider !== null} value={form.kind} onChange={(e) => chooseKind(form.channel, e.target.value)}>
              <option value="" disabled>
                {t('providerEditor.chooseKind')}
              </option>
              {(provider ? [{ kind: form.kind }] : kinds.filter((k) => k.channel === form.channel)).map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.kind}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="row">
          <label>
            {t('providers.col.order')}
            <input name="order" type="number" min={0} max={1000} value={form.order} onChange={(e) => update({ order: e.target.value })} />
          </label>
          <label>
            {t('providerEditor.perSecond')}
            <input name="perSecond" type="number" min={0} step="any" placeholder={t('providerEditor.unlimited')} value={form.perSecond} onChange={(e) => update({ perSecond: e.target.value })} />
          </label>
          <label>
            {t('providerEditor.burst')}
            <input name="burst" type="number" min={1} value={form.burst} onChange={(e) => update({ burst: e.target.value })} />
          </label>
          <label className="inline">
            <input name="enabled" type="checkbox" checked={form.enabled} onChange={(e) => update({ enabled: e.target.checked })} /> {t('providers.col.enabled')}
          </label>
        </div>
        <h3>{t('providerEditor.config')}</h3>
        <p className="muted small">{t('providerEditor.secretsHint')}</p>
        <div className="config-fields">
          {fields.map((f, i) =>
            f.removed ? null : (
              <div className="row config-field" key={f.key || i} data-key={f.key} data-secret={String(f.secret)} data-required={String(f.spec?.required ?? false)}>
                <label className="config-key" title={f.spec?.description}>
                  <code>{f.key}</code>
                  {f.spec?.required && <span className="badge info">{t('providerEditor.required')}</span>}
                  {!f.spec && <span className="badge warn">{t('providerEditor.unknownField')}</span>}
                </label>
                {f.spec?.options.length || f.kind === 'boolean' ? (
                  <select className="grow" aria-label={f.key} value={f.value} onChange={(e) => setField(i, { value: e.target.value })}>
                    <option value="">{f.spec?.required ? t('providerEditor.choose') : t('providerEditor.default')}</option>
                    {(f.spec?.options.length ? f.spec.options : ['true', 'false']).map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : f.secret ? (
                  <input
                    className="grow"
                    type="password"
                    autoComplete="new-password"
                    aria-label={f.key}
                    placeholder={f.stored ? t('providerEditor.keepSecret') : t('providerEditor.value')}
                    value={f.value}
                    onChange={(e) => setField(i, { value: e.target.value })}
                  />
                ) : (
                  <input
                    className="grow"
                    aria-label={f.key}
                    type={f.kind === 'number' ? 'number' : 'text'}
                    placeholder={f.kind === 'json' ? 'JSON' : t('providerEditor.value')}
                    value={f.value}
                    onChange={(e) => setField(i, { value: e.target.value })}
                  />
                )}
                {f.secret && <span className={`badge ${f.stored ? 'good' : 'info'}`}>{f.stored ? t('providerEditor.set') : t('providerEditor.secret')}</span>}
                {f.stored && (
                  <button type="button" className="secondary small" aria-label={t('common.delete')} onClick={() => setField(i, { removed: true })}>
                    ×
                  </button>
                )}
                {f.spec?.description && <p className="muted small field-help">{f.spec.description}</p>}
              </div>
            ),
          )}
        </div>
      </fieldset>
      <div className="row">
        <button type="submit" disabled={busy || !form.id.trim() || !form.kind.trim()}>
          {t('common.save')}
        </button>
      </div>
      {saved && <p className="notice good" data-testid="provider-saved">{t('providerEditor.saved')}</p>}
      <ErrorNotice error={error} />
    </form>
  );
}
