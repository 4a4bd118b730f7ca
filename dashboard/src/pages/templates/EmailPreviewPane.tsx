import type { TemplatePreview } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';
import { ChannelCounters } from './ChannelCounters';

export type PreviewState = { kind: 'idle' } | { kind: 'loading' } | { kind: 'unavailable' } | { kind: 'error'; error: unknown } | { kind: 'ok'; preview: TemplatePreview };

export function EmailPreviewPane({ state, templateKey }: { state: PreviewState; templateKey: string }) {
  const { t } = useI18n();
  if (state.kind === 'unavailable') {
    return (
      <div className="notice unavailable" data-testid="not-available">
        <strong>{t('common.unavailable')}</strong>
        <p>{t('editor.previewUnavailable', { key: templateKey })}</p>
      </div>
    );
  }
  if (state.kind === 'error') return <ErrorNotice error={state.error} />;
  if (state.kind !== 'ok') return <p className="muted">{state.kind === 'loading' ? t('common.loading') : t('editor.previewHint')}</p>;
  const email = state.preview.channels.email;
  return (
    <div className="email-preview" data-testid="template-preview">
      {email && (
        <>
          <p className="preview-subject">
            <strong>{email.subject}</strong>
            {email.locale && <span className="muted"> · {email.locale}</span>}
          </p>
          {email.html !== undefined && <iframe title={t('editor.preview')} sandbox="" srcDoc={email.html} className="mail-frame" />}
          {email.text !== undefined && <pre className="mail-text">{email.text}</pre>}
        </>
      )}
      {state.preview.channels.sms && (
        <div className="sms-preview" data-testid="sms-preview">
          <p className="muted small">{t('channel.sms')}</p>
          <pre className="mail-text">{state.preview.channels.sms.text}</pre>
        </div>
      )}
      <ChannelCounters channels={state.preview.channels} />
      {state.preview.problems.length > 0 && (
        <div className="notice warn">
          <strong>{t('editor.problems')}</strong>
          <ul>
            {state.preview.problems.map((p, i) => (
              <li key={i}>
                {p.channel}
                {p.locale ? ` (${p.locale})` : ''}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
