import { useState } from 'react';
import { Link } from 'react-router';
import type { Notification } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadView } from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { AudienceSummaryView } from './AudienceSummaryView';

export function ApprovalCard({ notification: n, onDone }: { notification: Notification; onDone: () => void }) {
  const { t, formatTime } = useI18n();
  const { api } = useSession();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const audience = useLoad(() => api.getAudience(n.id), [n.id], { endpoint: 'GET /v1/notifications/{id}/audience' });

  async function act(action: 'approve' | 'reject') {
    setBusy(true);
    setError(null);
    try {
      const r = action === 'approve' ? await api.approveNotification(n.id, comment) : await api.rejectNotification(n.id, comment);
      setDone(r.status);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="card approval" data-id={n.id}>
      <h2>
        <Link to={`/messages/${encodeURIComponent(n.id)}`} className="mono">
          {n.id}
        </Link>
      </h2>
      <p>
        {n.template.key} v{n.template.version} · {t(`priority.${n.priority}`)} · {n.counts.total > 0 ? `${t('approvals.targets', { total: n.counts.total })} · ` : ''}{formatTime(n.createdAt)}
      </p>
      <h3>{t('audience.title')}</h3>
      <LoadView state={audience.state}>{(a) => <AudienceSummaryView a={a} />}</LoadView>
      <label>
        {t('approvals.comment')}
        <textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <div className="row">
        <button type="button" disabled={busy || done !== null} onClick={() => void act('approve')}>
          {t('approvals.approve')}
        </button>
        <button type="button" className="danger" disabled={busy || done !== null} onClick={() => void act('reject')}>
          {t('approvals.reject')}
        </button>
      </div>
      {done && <p className="notice good">{t('approvals.done', { status: done })}</p>}
      <ErrorNotice error={error} />
    </article>
  );
}
