import { ApiError } from '../api/http';
import { useI18n } from '../i18n/I18nProvider';

/** An action's failure (a click, a save), as opposed to a page that failed to load. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError && error.routeMissing) return <p className="notice unavailable">{t('common.unavailable')}</p>;
  // A missing scope reads as such; any other refusal (e.g. creator_cannot_approve) says why.
  if (error instanceof ApiError && error.status === 403 && error.code === 'forbidden') return <p className="notice warn">{t('common.forbidden')}</p>;
  const message = error instanceof ApiError ? `${error.status} ${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return (
    <p className="notice error" role="alert" data-code={error instanceof ApiError ? error.code : undefined}>
      {t('common.error', { message })}
    </p>
  );
}
