// The buttons that act on a notification after it was submitted, each shown only when the
// notification's status and kind allow it and the key has the `send` scope.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Notification, RecallResult } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';

/** Approve or reject with a comment, for a bulk send waiting for approval (scope approve). */
function DecisionForm({ id, onDecided }: { id: string; onDecided: (text: string) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function decide(approve: boolean) {
    setBusy(true);
    setError(null);
    try {
      const n = approve ? await api.approveNotification(id, comment.trim()) : await api.rejectNotification(id, comment.trim());
      onDecided(t('approvals.done', { status: t(`status.${n.status}`) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="decision" data-testid="decision-form">
      <div className="row">
        <label className="grow">
          {t('approvals.comment')}
          <input name="comment" value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} />
        </label>
        <button type="button" data-action="approve" disabled={busy} onClick={() => void decide(true)}>
          {t('approvals.approve')}
        </button>
        <button type="button" className="danger" data-action="reject" disabled={busy} onClick={() => void decide(false)}>
          {t('approvals.reject')}
        </button>
      </div>
      <ErrorNotice error={error} />
    </div>
  );
}

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'partially_failed', 'failed', 'expired', 'cancelled', 'rejected']);

type Action = 'cancel' | 'pause' | 'resume' | 'resend' | 'resendFailed' | 'recall';

/**
 * Which actions the API accepts for this notification (see api/routes/notification-control.ts).
 * A bulk send can be paused at any time before it ends (a paused one waiting for approval or
 * its send time holds once it would start); `paused` is the run's own view of that.
 */
export function availableActions(n: Notification, paused = false): Action[] {
  const final = FINAL_STATUSES.has(n.status);
  const actions: Action[] = [];
  const isPaused = n.status === 'paused' || paused;
  if (n.kind === 'bulk' && !final && !isPaused) actions.push('pause');
  if (n.kind === 'bulk' && !final && isPaused) actions.push('resume');
  if (!final) actions.push('cancel');
  if (final) actions.push('resend');
  if (final && n.counts.failed > 0) actions.push('resendFailed');
  if (n.counts.sent + n.counts.delivered > 0) actions.push('recall');
  return actions;
}

export function NotificationActions({ n, paused = false, onChanged }: { n: Notification; paused?: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const { api, can } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');

  const decide = n.status === 'pending_approval' && can.approve;
  if (!can.send && !decide && !done) return null;
  const actions = can.send ? availableActions(n, paused) : [];
  if (actions.length === 0 && !decide && !done) return null;

  async function run(action: Action) {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      switch (action) {
        case 'cancel':
          await api.cancelNotification(n.id, reason.trim());
          setCancelling(false);
          setDone(t('actions.done.cancel'));
          break;
        case 'pause':
          await api.pauseNotification(n.id);
          setDone(t('actions.done.pause'));
          break;
        case 'resume':
          await api.resumeNotification(n.id);
          setDone(t('actions.done.resume'));
          break;
        case 'resend':
        case 'resendFailed': {
          const created = await api.resendNotification(n.id, action === 'resendFailed');
          navigate(`/messages/${encodeURIComponent(created.id)}`);
          return;
        }
        case 'recall': {
          const r: RecallResult = await api.recallNotification(n.id);
          const rest = r.notRecallable.map((x) => `${x.channel} ${x.count}`).join(', ');
          setDone(t('actions.done.recall', { recalled: r.recalled, rest: rest || t('common.none') }));
          break;
        }
      }
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="actions" data-testid="notification-actions">
      <div className="row">
        {actions.map((a) =>
          a === 'cancel' ? (
            <button key={a} type="button" className="danger" data-action={a} disabled={busy || cancelling} onClick={() => setCancelling(true)}>
              {t('actions.cancel')}
            </button>
          ) : (
            <button key={a} type="button" className={a === 'recall' ? 'secondary' : undefined} data-action={a} disabled={busy} onClick={() => void run(a)}>
              {t(`actions.${a}`)}
            </button>
          ),
        )}
      </div>
      {cancelling && (
        <form
          className="row"
          data-testid="cancel-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run('cancel');
          }}
        >
          <label>
            {t('actions.reason')}
            <input name="reason" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="submit" className="danger" disabled={busy}>
            {t('actions.confirmCancel')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => setCancelling(false)}>
            {t('common.back')}
          </button>
        </form>
      )}
      {decide && <DecisionForm id={n.id} onDecided={(text) => { setDone(text); onChanged(); }} />}
      {done && (
        <p className="notice good" data-testid="action-done">
          {done}
        </p>
      )}
      <ErrorNotice error={error} />
    </div>
  );
}
