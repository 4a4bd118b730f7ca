import { NavLink } from 'react-router';
import { useSession } from '../auth/SessionProvider';
import { useI18n } from '../i18n/I18nProvider';
import { visibleNav } from './navItems';

export function Nav({ onNavigate }: { onNavigate: () => void }) {
  const { can } = useSession();
  const { t } = useI18n();
  return (
    <nav aria-label="main">
      <ul>
        {visibleNav(can).map((item) => (
          <li key={item.path}>
            <NavLink to={item.path} onClick={onNavigate} data-testid={`nav-${item.path.slice(1)}`}>
              {t(item.label)}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
