import { useI18n } from '../i18n/I18nProvider';

export function LoadMore({ cursor, onMore, busy }: { cursor: string | null; onMore: (cursor: string) => void; busy?: boolean }) {
  const { t } = useI18n();
  if (!cursor) return null;
  return (
    <button type="button" className="secondary load-more" disabled={busy} onClick={() => onMore(cursor)}>
      {t('common.loadMore')}
    </button>
  );
}
