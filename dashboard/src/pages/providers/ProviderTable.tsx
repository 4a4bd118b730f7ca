import type { Provider } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

const CIRCUIT_TONE = { closed: 'good', half_open: 'warn', open: 'bad' } as const;

interface Props {
  items: Provider[];
  /** Absent for a key without `manage`. */
  onEdit?: (p: Provider) => void;
  onMove?: (p: Provider, direction: -1 | 1) => void;
}

/** Providers by channel in failover order (lower order first), with each circuit's state. */
export function ProviderTable({ items, onEdit, onMove }: Props) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('common.empty')}</p>;
  const sorted = [...items].sort((a, b) => a.channel.localeCompare(b.channel) || a.order - b.order || a.id.localeCompare(b.id));
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
            {onEdit && <th />}
          </tr>
        </thead>
        <tbody>
          {sorted.map((p, i) => {
            const prev = sorted[i - 1];
            const next = sorted[i + 1];
            return (
              <tr key={p.id} data-id={p.id}>
                <td data-label={t('providers.col.id')} className="mono">{p.id}</td>
                <td data-label={t('providers.col.channel')}>{t(`channel.${p.channel}`)}</td>
                <td data-label={t('providers.col.kind')}>{p.kind}</td>
                <td data-label={t('providers.col.order')}>
                  <span className="mono">{p.order}</span>
                  {onMove && (
                    <span className="order-buttons">
                      <button type="button" className="secondary small" aria-label={t('providers.moveUp')} disabled={prev?.channel !== p.channel} onClick={() => onMove(p, -1)}>
                        ↑
                      </button>
                      <button type="button" className="secondary small" aria-label={t('providers.moveDown')} disabled={next?.channel !== p.channel} onClick={() => onMove(p, 1)}>
                        ↓
                      </button>
                    </span>
                  )}
                </td>
                <td data-label={t('providers.col.enabled')}>{p.enabled ? t('common.yes') : t('common.no')}</td>
                <td data-label={t('providers.col.rateLimit')}>
                  {p.rateLimit ? t('providers.rate', { perSecond: p.rateLimit.perSecond, burst: p.rateLimit.burst }) : t('providers.unlimited')}
                </td>
                <td data-label={t('providers.col.circuit')}>
                  <span className={`badge ${CIRCUIT_TONE[p.circuit.state]}`} data-circuit={p.circuit.state}>
                    {t(`circuit.${p.circuit.state}`)}
                  </span>
                  {p.circuit.consecutiveFailures > 0 && <span className="muted small"> · {t('providers.failures', { n: p.circuit.consecutiveFailures })}</span>}
                  {p.circuit.openedAt && <span className="muted small"> · {formatTime(p.circuit.openedAt)}</span>}
                  {p.circuit.lastError && <div className="muted small">{p.circuit.lastError}</div>}
                </td>
                {onEdit && (
                  <td>
                    <button type="button" className="secondary small" data-action="edit" onClick={() => onEdit(p)}>
                      {t('common.edit')}
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
