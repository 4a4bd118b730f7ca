// The navigation, and which capability of the key each entry needs: the dashboard shows
// only what the key may see.
import type { Capabilities } from '../auth/capabilities';
import type { MessageKey } from '../i18n/en';

export interface NavItem {
  path: string;
  label: MessageKey;
  needs: keyof Capabilities;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/messages', label: 'nav.messages', needs: 'read' },
  { path: '/approvals', label: 'nav.approvals', needs: 'approve' },
  { path: '/templates', label: 'nav.templates', needs: 'read' },
  { path: '/recipients', label: 'nav.recipients', needs: 'read' },
  { path: '/topics', label: 'nav.topics', needs: 'read' },
  { path: '/providers', label: 'nav.providers', needs: 'manage' },
  { path: '/schedules', label: 'nav.schedules', needs: 'read' },
  { path: '/webhooks', label: 'nav.webhooks', needs: 'read' },
  { path: '/analytics', label: 'nav.analytics', needs: 'read' },
  { path: '/mail', label: 'nav.mail', needs: 'admin' },
  { path: '/api-keys', label: 'nav.apiKeys', needs: 'admin' },
  { path: '/audit-log', label: 'nav.audit', needs: 'admin' },
  { path: '/settings', label: 'nav.settings', needs: 'read' },
];

export function visibleNav(can: Capabilities): NavItem[] {
  return NAV_ITEMS.filter((i) => can[i.needs]);
}
