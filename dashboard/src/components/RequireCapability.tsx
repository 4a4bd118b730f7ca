import type { ReactNode } from 'react';
import type { Capabilities } from '../auth/capabilities';
import { useSession } from '../auth/SessionProvider';
import { useI18n } from '../i18n/I18nProvider';

export function RequireCapability({ needs, children }: { needs: keyof Capabilities; children: ReactNode }) {
  const { can } = useSession();
  const { t } = useI18n();
  if (!can[needs]) return <p className="notice warn">{t('common.forbidden')}</p>;
  return <>{children}</>;
}
