import type { ReactNode } from 'react';
import type { LoadState } from '../hooks/useLoad';
import { useI18n } from '../i18n/I18nProvider';
import { NotAvailable } from './NotAvailable';

/** Shows loading / not available / forbidden / error, or the data through `children`. */
export function LoadView<T>({ state, children }: { state: LoadState<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  switch (state.kind) {
    case 'loading':
      return <p className="muted" role="status">{t('common.loading')}</p>;
    case 'unavailable':
      return <NotAvailable endpoint={state.endpoint} />;
    case 'forbidden':
      return <p className="notice warn">{t('common.forbidden')}</p>;
    case 'error':
      return <p className="notice error" role="alert">{t('common.error', { message: state.message })}</p>;
    case 'ok':
      return <>{children(state.data)}</>;
  }
}
