import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { useSessionState } from './auth/SessionProvider';
import { Layout } from './components/Layout';
import { RequireCapability } from './components/RequireCapability';
import { useI18n } from './i18n/I18nProvider';
import { ApiKeysPage } from './pages/access/ApiKeysPage';
import { AuditLogPage } from './pages/access/AuditLogPage';
import { ApprovalsPage } from './pages/approvals/ApprovalsPage';
import { CapturedMailPage } from './pages/mail/CapturedMailPage';
import { MessageDetailPage } from './pages/messages/MessageDetailPage';
import { MessagesPage } from './pages/messages/MessagesPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { PreferenceCenterPage } from './pages/public/PreferenceCenterPage';
import { ProvidersPage } from './pages/providers/ProvidersPage';
import { RecipientsPage } from './pages/recipients/RecipientsPage';
import { UserPage } from './pages/recipients/UserPage';
import { SchedulesPage } from './pages/schedules/SchedulesPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { SignInPage } from './pages/SignInPage';
import { TemplateEditorPage } from './pages/templates/TemplateEditorPage';
import { TemplatesPage } from './pages/templates/TemplatesPage';
import { TopicsPage } from './pages/topics/TopicsPage';
import { WebhookDetailPage } from './pages/webhooks/WebhookDetailPage';
import { WebhooksPage } from './pages/webhooks/WebhooksPage';

// The chart library is most of the bundle; only the analytics page needs it.
const AnalyticsPage = lazy(() => import('./pages/analytics/AnalyticsPage').then((m) => ({ default: m.AnalyticsPage })));

function SignedInRoutes() {
  const { t } = useI18n();
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/messages" replace />} />
        <Route path="messages" element={<RequireCapability needs="read"><MessagesPage /></RequireCapability>} />
        <Route path="messages/:id" element={<RequireCapability needs="read"><MessageDetailPage /></RequireCapability>} />
        <Route path="approvals" element={<RequireCapability needs="approve"><ApprovalsPage /></RequireCapability>} />
        <Route path="templates" element={<RequireCapability needs="read"><TemplatesPage /></RequireCapability>} />
        <Route path="templates/:key" element={<RequireCapability needs="read"><TemplateEditorPage /></RequireCapability>} />
        <Route path="recipients" element={<RequireCapability needs="read"><RecipientsPage /></RequireCapability>} />
        <Route path="recipients/:id" element={<RequireCapability needs="read"><UserPage /></RequireCapability>} />
        <Route path="topics" element={<RequireCapability needs="read"><TopicsPage /></RequireCapability>} />
        <Route path="providers" element={<RequireCapability needs="manage"><ProvidersPage /></RequireCapability>} />
        <Route path="schedules" element={<RequireCapability needs="read"><SchedulesPage /></RequireCapability>} />
        <Route path="webhooks" element={<RequireCapability needs="read"><WebhooksPage /></RequireCapability>} />
        <Route path="webhooks/:id" element={<RequireCapability needs="read"><WebhookDetailPage /></RequireCapability>} />
        <Route path="analytics" element={<RequireCapability needs="read"><Suspense fallback={<p className="muted">{t('common.loading')}</p>}><AnalyticsPage /></Suspense></RequireCapability>} />
        <Route path="mail" element={<RequireCapability needs="admin"><CapturedMailPage /></RequireCapability>} />
        <Route path="api-keys" element={<RequireCapability needs="admin"><ApiKeysPage /></RequireCapability>} />
        <Route path="audit-log" element={<RequireCapability needs="admin"><AuditLogPage /></RequireCapability>} />
        <Route path="settings" element={<RequireCapability needs="read"><SettingsPage /></RequireCapability>} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App() {
  const { session, restoring } = useSessionState();
  const { t } = useI18n();
  if (restoring) return <p className="muted center">{t('common.loading')}</p>;
  return (
    <BrowserRouter basename="/dashboard">
      <Routes>
        {/* Public: reached by a signed link, no API key and no sign-in. */}
        <Route path="preferences" element={<PreferenceCenterPage />} />
        <Route path="*" element={session ? <SignedInRoutes /> : <SignInPage />} />
      </Routes>
    </BrowserRouter>
  );
}
