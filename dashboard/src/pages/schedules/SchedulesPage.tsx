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
  const [error, setError] = useState<unknown>(null);

  async function remove(s: Schedule) {
    if (!window.confirm(t('schedules.confirmDelete', { id: s.id }))) return;
    setError(null);
    try {
      await api.deleteSchedule(s.id);
      schedules.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section>
      <PageHeader title={t('schedules.title')} />
      <ErrorNotice error={error} />
      <LoadView state={schedules.state}>{(page) => <ScheduleTable items={page.items} onDelete={can.manage ? (s) => void remove(s) : undefined} />}</LoadView>
    </section>
  );
}
