import type { Provider } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

const show = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function ProviderTable({ items }: { items: Provider[] }) {
  const { t } = useI18n();
  if (items.length === 0) return <p className="muted">{t('common.empty')}</p>;
  const sorted = [...items].sort((a, b) => a.channel.localeCompare(b.channel) || (a.order ?? 0) - (b.order ?? 0));
  return (
    <div className="table-wrap">
      <table className="list" data-testid="providers-table">
        <thead>
          <tr>
            <th>{t('providers.col.id')}</th>
            <th>{t('providers.col.channel')}</th>
            <th>{t('providers.col.kind')}</th>
            <th>{t('providers.col.order')}</th>
            <th>{t('providers.col.enabled')}</th>
            <th>{t('providers.col.rateLimit')}</th>
            <th>{t('providers.col.circuit')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((p) => (
            <tr key={p.id}>
              <td data-label={t('providers.col.id')} className="mono">{p.id}</td>
              <td data-label={t('providers.col.channel')}>{t(`channel.${p.channel}`)}</td>
              <td data-label={t('providers.col.kind')}>{p.kind}</td>
              <td data-label={t('providers.col.order')}>{show(p.order)}</td>
              <td data-label={t('providers.col.enabled')}>{p.enabled === false ? t('common.no') : t('common.yes')}</td>
              <td data-label={t('providers.col.rateLimit')} className="mono small">{show(p.rateLimit)}</td>
              <td data-label={t('providers.col.circuit')} className="mono small">{show(p.circuit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
