import { useState } from 'react';
import { Outlet } from 'react-router';
import { scopeList } from '../auth/capabilities';
import { useSession, useSessionState } from '../auth/SessionProvider';
import { useI18n } from '../i18n/I18nProvider';
import { LanguageSwitch } from './LanguageSwitch';
import { Nav } from './Nav';

/** Sidebar on a laptop; on a phone the sidebar folds behind a menu button. */
export function Layout() {
  const { t } = useI18n();
  const { keyPrefix, can } = useSession();
  const { signOut } = useSessionState();
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <div className={menuOpen ? 'shell menu-open' : 'shell'}>
      <header className="topbar">
        <button type="button" className="menu-button" aria-expanded={menuOpen} onClick={() => setMenuOpen((o) => !o)}>
          ☰ <span className="sr-only">{t('nav.menu')}</span>
        </button>
        <span className="brand">
          {t('app.name')} <small>{t('app.tagline')}</small>
        </span>
        <span className="who muted">{t('nav.signedInAs', { prefix: keyPrefix, scopes: scopeList(can).map((s) => t(`scope.${s}`)).join(', ') })}</span>
        <LanguageSwitch />
        <button type="button" className="secondary" onClick={signOut}>
          {t('nav.signOut')}
        </button>
      </header>
      <aside className="sidebar">
        <Nav onNavigate={() => setMenuOpen(false)} />
      </aside>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
