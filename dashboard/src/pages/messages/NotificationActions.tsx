// The buttons that act on a notification after it was submitted, each shown only when the
// notification's status and kind allow it and the key has the `send` scope.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Notification, RecallResult } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'partially_failed', 'failed', 'expired', 'cancelled', 'rejected']);

type Action = 'cancel' | 'pause' | 'resume' | 'resend' | 'resendFailed' | 'recall';

/** Which actions the API accepts for this notification (see api/routes/notification-control.ts). */
export function availableActions(n: Notification): Action[] {
  const final = FINAL_STATUSES.has(n.status);
  const actions: Action[] = [];
  if (n.kind === 'bulk' && n.status === 'sending') actions.push('pause');
  if (n.kind === 'bulk' && n.status === 'paused') actions.push('resume');
  if (!final) actions.push('cancel');
  if (final) actions.push('resend');
  if (final && n.counts.failed > 0) actions.push('resendFailed');
  if (n.counts.sent + n.counts.delivered > 0) actions.push('recall');
  return actions;
}

export function NotificationActions({ n, onChanged }: { n: Notification; onChanged: () => void }) {
  const { t } = useI18n();
  const { api, can } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');

  if (!can.send) return null;
  const actions = availableActions(n);
  if (actions.length === 0) return null;

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
      {done && (
        <p className="notice good" data-testid="action-done">
          {done}
        </p>
      )}
      <ErrorNotice error={error} />
    </div>
  );
}
