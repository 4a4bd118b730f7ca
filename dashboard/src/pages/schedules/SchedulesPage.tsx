import { useState } from 'react';
import type { Schedule } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { ScheduleTable } from './ScheduleTable';

export function SchedulesPage() {
  const { t } = useI18n();
  const { api, can } = useSession();
  const schedules = useLoad(() => api.listSchedules(), [], { endpoint: 'GET /v1/schedules', collection: true });
  // Who is signed in: the key that created a schedule is not offered its approval (maker-checker).
  const me = useLoad(() => api.me(), [], { endpoint: 'GET /v1/me' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function act(s: Schedule, action: () => Promise<unknown>) {
    setError(null);
    setBusy(s.id);
    try {
      await action();
      schedules.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const remove = (s: Schedule) => {
    if (window.confirm(t('schedules.confirmDelete', { id: s.id }))) void act(s, () => api.deleteSchedule(s.id));
  };
  const pause = (s: Schedule, paused: boolean) => void act(s, () => api.setSchedulePaused(s.id, paused));
  const approve = (s: Schedule) => void act(s, () => api.approveSchedule(s.id));
  const keyId = me.state.kind === 'ok' ? me.state.data.keyId : null;

  return (
    <section>
      <PageHeader title={t('schedules.title')}>
        <button type="button" className="secondary" onClick={schedules.reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <ErrorNotice error={error} />
      {/* Pausing, resuming and deleting a schedule need the `send` scope, as creating one does. */}
      <LoadView state={schedules.state}>
        {(page) => <ScheduleTable items={page.items} busy={busy} onPause={can.send ? pause : undefined} onDelete={can.send ? remove : undefined} onApprove={can.approve ? approve : undefined} keyId={keyId} />}
      </LoadView>
    </section>
  );
}
