import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http';
import type { Template } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { toLoadError, type LoadState } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { EmailFields } from './EmailFields';
import { draftOf, EMPTY_FORM, formOf, isSavable, parseSampleData, type EmailForm } from './emailForm';
import { EmailPreviewPane, type PreviewState } from './EmailPreviewPane';
import { TestSendForm } from './TestSendForm';
import { VersionsPanel } from './VersionsPanel';

const AUTOSAVE_DELAY_MS = 700;

export function TemplateEditorPage() {
  const { key = '' } = useParams();
  const { t, formatTime } = useI18n();
  const { api, can } = useSession();
  const [loadState, setLoadState] = useState<LoadState<Template | null>>({ kind: 'loading' });
  const [base, setBase] = useState<Template | null>(null);
  const [form, setForm] = useState<EmailForm>(EMPTY_FORM);
  const [sample, setSample] = useState('{}');
  const [locale, setLocale] = useState('');
  const [autosave, setAutosave] = useState(true);
  const [saving, setSaving] = useState(false);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [preview, setPreview] = useState<PreviewState>({ kind: 'idle' });
  const [published, setPublished] = useState<number | null>(null);
  const [revision, setRevision] = useState(0);
  const [previewing, setPreviewing] = useState<number | null>(null);
  const edited = useRef(false);

  useEffect(() => {
    let live = true;
    edited.current = false;
    setLoadState({ kind: 'loading' });
    api
      .getTemplate(key)
      .then((tpl) => {
        if (!live) return;
        setBase(tpl);
        setForm(formOf(tpl));
        setSample(JSON.stringify(tpl.exampleData ?? {}, null, 2));
        setLoadState({ kind: 'ok', data: tpl });
      })
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 404 && !err.routeMissing) {
          setBase(null);
          setForm(EMPTY_FORM);
          setLoadState({ kind: 'ok', data: null });
        } else setLoadState(toLoadError(err, { endpoint: 'GET /v1/templates/{key}' }));
      });
    return () => {
      live = false;
    };
  }, [api, key]);

  const sampleData = parseSampleData(sample);

  const runPreview = useCallback(async () => {
    if (!sampleData) return;
    // A shown preview stays up while the next one renders, so the frame does not flicker.
    setPreview((p) => (p.kind === 'ok' ? p : { kind: 'loading' }));
    try {
      // Every channel of the draft, so the counters cover SMS segments and payload sizes too.
      const p = await api.previewTemplate(key, { data: sampleData, ...(locale.trim() ? { locale: locale.trim() } : {}) });
      setPreviewing(null);
      setPreview({ kind: 'ok', preview: p });
    } catch (err) {
      setPreview(err instanceof ApiError && err.routeMissing ? { kind: 'unavailable' } : { kind: 'error', error: err });
    }
  }, [api, key, locale, sampleData && JSON.stringify(sampleData)]);

  const save = useCallback(async (): Promise<boolean> => {
    if (!can.manage || !isSavable(form)) return false;
    setSaving(true);
    setActionError(null);
    try {
      const saved = await api.putTemplate(key, draftOf(base, form));
      setBase(saved);
      setSavedAt(new Date().toISOString());
      edited.current = false;
      return true;
    } catch (err) {
      setActionError(err);
      return false;
    } finally {
      setSaving(false);
    }
  }, [api, base, can.manage, form, key]);

  async function previewVersion(version: number) {
    if (!sampleData) return;
    try {
      const p = await api.previewTemplate(key, { data: sampleData, version, ...(locale.trim() ? { locale: locale.trim() } : {}) });
      setPreviewing(version);
      setPreview({ kind: 'ok', preview: p });
    } catch (err) {
      setPreview({ kind: 'error', error: err });
    }
  }

  async function afterNewVersion(version: number) {
    setPublished(version);
    setRevision((r) => r + 1);
    setBase(await api.getTemplate(key));
  }

  async function saveAndPreview() {
    if (await save()) await runPreview();
  }

  // Live preview: a pause in typing saves the draft, then Herald renders it.
  useEffect(() => {
    if (!autosave || !edited.current) return;
    const timer = setTimeout(() => {
      void saveAndPreview();
    }, AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
    // save/runPreview change with the form; the effect is about the form's content.
  }, [form, sample, locale, autosave]);

  async function publish() {
    setActionError(null);
    if (edited.current && !(await save())) return;
    try {
      const v = await api.publishTemplate(key);
      await afterNewVersion(v.version);
    } catch (err) {
      setActionError(err);
    }
  }

  const change = (f: EmailForm) => {
    edited.current = true;
    setForm(f);
  };
  const otherChannels = (base?.channels ?? []).filter((c) => c !== 'email' && c !== 'sms');

  return (
    <section>
      <Link to="/templates" className="back">
        {t('editor.back')}
      </Link>
      <PageHeader title={t('editor.title', { key })}>
        {can.manage && (
          <>
            <button type="button" className="secondary" disabled={saving || !isSavable(form)} onClick={() => void saveAndPreview()}>
              {saving ? t('editor.saving') : t('editor.saveDraft')}
            </button>
            <button type="button" disabled={saving || !base} onClick={() => void publish()} data-testid="publish">
              {t('editor.publish')}
            </button>
          </>
        )}
      </PageHeader>
      <LoadView state={loadState}>
        {() => (
          <div className="editor">
            <div className="card">
              {!base && <p className="notice info">{t('editor.new')}</p>}
              {!can.manage && <p className="notice warn">{t('editor.readOnly')}</p>}
              {otherChannels.length > 0 && <p className="muted small">{t('editor.otherChannels', { channels: otherChannels.join(', ') })}</p>}
              <EmailFields form={form} readOnly={!can.manage} onChange={change} />
              <div className="row">
                <label className="grow">
                  {t('editor.sampleData')}
                  <textarea
                    name="sampleData"
                    className="code"
                    rows={4}
                    spellCheck={false}
                    value={sample}
                    onChange={(e) => {
                      edited.current = true;
                      setSample(e.target.value);
                    }}
                  />
                </label>
                <label>
                  {t('editor.locale')}
                  <input name="locale" placeholder="zh-CN" value={locale}
                    onChange={(e) => {
                      edited.current = true;
                      setLocale(e.target.value);
                    }}
                  />
                </label>
              </div>
              {!sampleData && <p className="notice error">{t('editor.badJson')}</p>}
              {can.manage && (
                <label className="inline">
                  <input type="checkbox" checked={autosave} onChange={(e) => setAutosave(e.target.checked)} /> {t('editor.autosave')}
                </label>
              )}
              <p className="muted small" data-testid="save-state">
                {saving ? t('editor.saving') : savedAt ? t('editor.saved', { time: formatTime(savedAt) }) : ''}
                {base?.publishedVersion ? ` · ${t('editor.publishedVersion', { version: base.publishedVersion })}` : ''}
              </p>
              {published !== null && <p className="notice good" data-testid="published">{t('editor.published', { version: published })}</p>}
              <ErrorNotice error={actionError} />
            </div>
            <div className="card">
              <div className="page-header">
                <h2>{previewing === null ? t('editor.preview') : t('versions.previewing', { version: previewing })}</h2>
                <button type="button" className="secondary" disabled={!base || !sampleData} onClick={() => void runPreview()}>
                  {t('editor.preview')}
                </button>
              </div>
              <EmailPreviewPane state={preview} templateKey={key} />
            </div>
            {base && (
              <VersionsPanel
                templateKey={key}
                published={base.publishedVersion}
                revision={revision}
                onPreview={(v) => void previewVersion(v)}
                onRolledBack={(v) => void afterNewVersion(v)}
              />
            )}
            {base && can.manage && (
              <TestSendForm templateKey={key} data={sampleData} locale={locale} disabled={base.publishedVersion === null || !base.channels.includes('email')} />
            )}
          </div>
        )}
      </LoadView>
    </section>
  );
}
