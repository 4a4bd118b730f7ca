// While a bulk send runs: the workflow's own progress (GET /v1/notifications/{id}/progress).
import { useSession } from '../../auth/SessionProvider';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';

export function RunProgress({ id }: { id: string }) {
  const { t } = useI18n();
  const { api } = useSession();
  const progress = useLoad(() => api.getProgress(id), [id], { endpoint: 'GET /v1/notifications/{id}/progress', refreshMs: 2000 });
  // The run may be between states (not started, just finished): the counts still tell.
  if (progress.state.kind !== 'ok') return null;
  const p = progress.state.data;
  return (
    <p className="muted" data-testid="run-progress" data-phase={p.phase}>
      {t('detail.runProgress', { phase: p.phase, users: p.usersPrepared, pages: p.pagesDone })}
      {p.paused ? ` · ${t('detail.runPaused')}` : ''}
    </p>
  );
}
