import type { CapturedMail } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

interface Props {
  items: CapturedMail[];
  selected: number | null;
  onSelect: (id: number) => void;
}

export function MailList({ items, selected, onSelect }: Props) {
  const { t, formatTime } = useI18n();
  if (items.length === 0) return <p className="muted">{t('mail.empty')}</p>;
  return (
    <ul className="mail-list" data-testid="mail-list">
      {items.map((m) => (
        <li key={m.id}>
          <button type="button" className={m.id === selected ? 'mail-item selected' : 'mail-item'} onClick={() => onSelect(m.id)} data-id={m.id}>
            <strong>{m.subject || '—'}</strong>
            <span className="muted small">
              {m.to} · {formatTime(m.receivedAt)}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
