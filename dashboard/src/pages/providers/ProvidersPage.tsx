import { useState } from 'react';
import type { Provider } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { ProviderEditor } from './ProviderEditor';
import { ProviderTable } from './ProviderTable';

export function ProvidersPage() {
  const { t } = useI18n();
  const { api, can } = useSession();
  const providers = useLoad(() => api.listProviders(), [], { endpoint: 'GET /v1/providers', collection: true, refreshMs: 10_000 });
  // undefined: no editor open; null: a new provider.
  const [editing, setEditing] = useState<Provider | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);

  /** Swaps the failover place with the neighbour of the same channel. */
  async function move(p: Provider, direction: -1 | 1) {
    if (providers.state.kind !== 'ok') return;
    const same = providers.state.data.items.filter((x) => x.channel === p.channel).sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
    const i = same.findIndex((x) => x.id === p.id);
    const other = same[i + direction];
    if (!other) return;
    setError(null);
    try {
      // Equal orders would keep their tie; the one moved goes strictly past the other.
      const target = other.order === p.order ? Math.max(0, other.order + direction) : other.order;
      await api.patchProvider(p.id, { order: target });
      if (other.order !== p.order) await api.patchProvider(other.id, { order: p.order });
      providers.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section>
      <PageHeader title={t('providers.title')}>
        {can.manage && (
          <button type="button" onClick={() => setEditing(null)}>
            {t('providerEditor.new')}
          </button>
        )}
      </PageHeader>
      <p className="muted">{t('providers.intro')}</p>
      {editing !== undefined && (
        <ProviderEditor
          key={editing?.id ?? '(new)'}
          provider={editing}
          onSaved={(p) => {
            setEditing(p);
            providers.reload();
          }}
          onClose={() => setEditing(undefined)}
        />
      )}
      <ErrorNotice error={error} />
      <LoadView state={providers.state}>
        {(page) => <ProviderTable items={page.items} onEdit={can.manage ? setEditing : undefined} onMove={can.manage ? (p, d) => void move(p, d) : undefined} />}
      </LoadView>
    </section>
  );
}
