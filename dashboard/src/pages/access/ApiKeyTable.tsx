import type { ApiKey } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

export function ApiKeyTable({ items, onRevoke }: { items: ApiKey[]; onRevoke: (k: ApiKey) => void }) {
  const { t, formatTime } = useI18n();
  return (
    <div className="table-wrap">
      <table className="list" data-testid="keys-table">
        <thead>
          <tr>
            <th>{t('keys.col.name')}</th>
            <th>{t('keys.col.prefix')}</th>
            <th>{t('keys.col.scopes')}</th>
            <th>{t('keys.col.created')}</th>
            <th>{t('keys.col.lastUsed')}</th>
            <th>{t('keys.col.state')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((k) => (
            <tr key={k.id} className={k.revokedAt ? 'revoked' : undefined}>
              <td data-label={t('keys.col.name')}>{k.name}</td>
              <td data-label={t('keys.col.prefix')} className="mono">
                {k.prefix}…
              </td>
              <td data-label={t('keys.col.scopes')}>{k.scopes.map((s) => t(`scope.${s}`)).join(', ')}</td>
              <td data-label={t('keys.col.created')}>{formatTime(k.createdAt)}</td>
              <td data-label={t('keys.col.lastUsed')}>{formatTime(k.lastUsedAt)}</td>
              <td data-label={t('keys.col.state')}>{k.revokedAt ? t('keys.revoked', { time: formatTime(k.revokedAt) }) : t('keys.active')}</td>
              <td>
                {!k.revokedAt && (
                  <button type="button" className="danger small" onClick={() => onRevoke(k)}>
                    {t('keys.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
