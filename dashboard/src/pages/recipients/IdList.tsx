import type { Group } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

/** Groups and modules: ids chosen by the client, with an optional name. */
export function IdList({ items }: { items: Group[] }) {
  const { t } = useI18n();
  if (items.length === 0) return <p className="muted">{t('common.empty')}</p>;
  return (
    <ul className="chips">
      {items.map((g) => (
        <li key={g.id} className="chip">
          <span className="mono">{g.id}</span>
          {g.name ? ` · ${g.name}` : ''}
        </li>
      ))}
    </ul>
  );
}
