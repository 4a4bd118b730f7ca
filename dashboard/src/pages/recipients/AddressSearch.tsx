import { useState, type FormEvent } from 'react';
import type { DeliveryLogEntry, Page } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadMore } from '../../components/LoadMore';
import { useI18n } from '../../i18n/I18nProvider';
import { DeliveryLogTable } from './DeliveryLogTable';

/** Deliveries to an email address or phone number, across users and notifications (GET /v1/deliveries?address=). */
export function AddressSearch() {
  const { t } = useI18n();
  const { api } = useSession();
  const [address, setAddress] = useState('');
  const [found, setFound] = useState<Page<DeliveryLogEntry> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function search(cursor?: string) {
    setBusy(true);
    setError(null);
    try {
      const page = await api.searchDeliveries({ address: address.trim(), limit: 50, cursor });
      setFound((prev) => (cursor && prev ? { items: [...prev.items, ...page.items], nextCursor: page.nextCursor } : page));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    setFound(null);
    void search();
  }

  return (
    <form className="card" onSubmit={submit} aria-label={t('search.title')} data-testid="address-search">
      <div className="row">
        <label className="grow">
          {t('search.title')}
          <input name="address" type="search" value={address} placeholder={t('search.placeholder')} onChange={(e) => setAddress(e.target.value)} />
        </label>
        <button type="submit" disabled={!address.trim() || busy}>
          {t('search.submit')}
        </button>
      </div>
      {found && <DeliveryLogTable items={found.items} showUser />}
      {found && <LoadMore cursor={found.nextCursor} onMore={(c) => void search(c)} busy={busy} />}
      <ErrorNotice error={error} />
    </form>
  );
}
