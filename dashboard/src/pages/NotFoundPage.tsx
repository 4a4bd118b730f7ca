import { Link } from 'react-router';
import { useI18n } from '../i18n/I18nProvider';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('common.pageNotFound')}</h1>
      <Link to="/messages">{t('nav.messages')}</Link>
    </section>
  );
}
