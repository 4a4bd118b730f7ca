// Import users from a CSV, JSON or JSON-lines file: sent to POST /v1/users/import in chunks,
// so a progress bar can follow a large file and the reports add up.
import { useState, type ChangeEvent } from 'react';
import type { ImportReport } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';
import { usersOfFile } from './importFile';

const CHUNK = 500;

export function ImportPanel({ onImported }: { onImported: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function upload(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setError(null);
    setReport(null);
    try {
      const lines = usersOfFile(file.name, await file.text());
      const total: ImportReport = { lines: 0, imported: 0, failed: 0, errors: [], errorsTruncated: false, ms: 0 };
      setProgress({ done: 0, total: lines.length });
      for (let i = 0; i < lines.length; i += CHUNK) {
        const r = await api.importUsers(lines.slice(i, i + CHUNK).join('\n'));
        total.lines += r.lines;
        total.imported += r.imported;
        total.failed += r.failed;
        // Line numbers in the whole file, not in the chunk.
        total.errors.push(...r.errors.map((x) => ({ ...x, line: x.line + i })));
        total.errorsTruncated ||= r.errorsTruncated;
        total.ms += r.ms;
        setProgress({ done: Math.min(i + CHUNK, lines.length), total: lines.length });
      }
      setReport(total);
      onImported();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  }

  const percent = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <div className="card" data-testid="user-import">
      <h2>{t('import.title')}</h2>
      <p className="muted small">{t('import.hint')}</p>
      <label className="file-input">
        {t('import.choose')}
        <input type="file" name="importFile" accept=".csv,.json,.jsonl,.ndjson,text/csv,application/json" disabled={progress !== null} onChange={(e) => void upload(e)} />
      </label>
      {progress && (
        <div className="progress">
          <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={t('import.progress', { done: progress.done, total: progress.total })}>
            <span className="seg good" style={{ width: `${percent}%` }} />
          </div>
          <span className="progress-label">{t('import.progress', { done: progress.done, total: progress.total })}</span>
        </div>
      )}
      {report && (
        <div data-testid="import-report">
          <p className={`notice ${report.failed > 0 ? 'warn' : 'good'}`}>{t('import.report', { imported: report.imported, failed: report.failed })}</p>
          {report.errors.length > 0 && (
            <ul className="small">
              {report.errors.slice(0, 20).map((x) => (
                <li key={x.line}>{t('import.lineError', { line: x.line, id: x.id ?? '—', message: x.message })}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ErrorNotice error={error} />
    </div>
  );
}
