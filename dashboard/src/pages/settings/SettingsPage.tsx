// The tenant's settings (GET /v1/tenant), each with what it does. Keys with `admin` change
// them here (PATCH /v1/tenant with only the changed fields); others read them.
import { useState } from 'react';
import type { TenantSettings } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { SettingsForm } from './SettingsForm';

export function SettingsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const load = useLoad(() => api.getTenant(), [], { endpoint: 'GET /v1/tenant' });
  // The tenant as the last save answered it, until the next load.
  const [saved, setSaved] = useState<{ tenant: TenantSettings; fields: string[] } | null>(null);

  return (
    <section>
      <PageHeader title={t('settings.title')}>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setSaved(null);
            load.reload();
          }}
        >
          {t('common.refresh')}
        </button>
      </PageHeader>
      <p className="muted">{t('settings.intro')}</p>
      <LoadView state={load.state}>
        {(loaded) => {
          const tenant = saved?.tenant ?? loaded;
          return (
            <>
              <p className="muted small">{t('settings.tenant', { id: tenant.id, createdAt: new Date(tenant.createdAt).toLocaleString() })}</p>
              {saved && (
                <p className="notice good" data-testid="settings-saved">
                  {t('settings.saved', { fields: saved.fields.join(', ') })}
                </p>
              )}
              <SettingsForm key={JSON.stringify(tenant)} tenant={tenant} onSaved={(next, fields) => setSaved({ tenant: next, fields })} />
            </>
          );
        }}
      </LoadView>
    </section>
  );
}
