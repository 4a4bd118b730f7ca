// Published versions, newest first: preview one, or roll back to it (its content published
// again as a new version; the draft stays as it is).
import { useState } from 'react';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadView } from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';

interface Props {
  templateKey: string;
  published: number | null;
  /** Changes whenever a version was added here (publish, rollback), so the list reloads. */
  revision: number;
  onPreview: (version: number) => void;
  onRolledBack: (version: number) => void;
}

export function VersionsPanel({ templateKey, published, revision, onPreview, onRolledBack }: Props) {
  const { t, formatTime } = useI18n();
  const { api, can } = useSession();
  const versions = useLoad(() => api.listTemplateVersions(templateKey), [templateKey, revision], { endpoint: 'GET /v1/templates/{key}/versions', collection: true });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function rollback(version: number) {
    setBusy(true);
    setError(null);
    try {
      const v = await api.rollbackTemplate(templateKey, version);
      onRolledBack(v.version);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card" data-testid="template-versions">
      <h2>{t('versions.title')}</h2>
      <LoadView state={versions.state}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">{t('versions.none')}</p>
          ) : (
            <ul className="version-list">
              {page.items.map((v) => (
                <li key={v.version} data-version={v.version}>
                  <span className="mono">v{v.version}</span>
                  <span className="muted small">{formatTime(v.createdAt)}</span>
                  {v.version === published && <span className="badge good">{t('versions.current')}</span>}
                  <span className="grow" />
                  <button type="button" className="secondary small" data-action="preview-version" onClick={() => onPreview(v.version)}>
                    {t('editor.preview')}
                  </button>
                  {can.manage && v.version !== published && (
                    <button type="button" className="small" data-action="rollback" disabled={busy} onClick={() => void rollback(v.version)}>
                      {t('versions.rollback', { version: v.version })}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </LoadView>
      <ErrorNotice error={error} />
    </div>
  );
}
