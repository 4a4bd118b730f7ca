import { useState } from 'react';
import type { CapturedMail } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

/**
 * The html is shown in a sandboxed iframe with no permissions at all: no scripts, no
 * same-origin access, no forms or top navigation — mail is untrusted input.
 */
export function MailView({ mail }: { mail: CapturedMail }) {
  const { t, formatTime } = useI18n();
  const [tab, setTab] = useState<'html' | 'text' | 'headers'>(mail.html ? 'html' : 'text');
  return (
    <article className="mail-view" data-testid="mail-view">
      <h2>{mail.subject}</h2>
      <dl className="facts">
        <div>
          <dt>{t('mail.col.from')}</dt>
          <dd>{mail.from}</dd>
        </div>
        <div>
          <dt>{t('mail.col.to')}</dt>
          <dd>{mail.to}</dd>
        </div>
        <div>
          <dt>{t('mail.col.received')}</dt>
          <dd>{formatTime(mail.receivedAt)}</dd>
        </div>
      </dl>
      <div className="tabs" role="tablist">
        {(['html', 'text', 'headers'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} className={tab === k ? 'tab active' : 'tab'} disabled={k === 'html' && !mail.html} onClick={() => setTab(k)}>
            {t(`mail.${k}`)}
          </button>
        ))}
      </div>
      {tab === 'html' && mail.html && <iframe title={mail.subject} sandbox="" srcDoc={mail.html} className="mail-frame" data-testid="mail-html" />}
      {tab === 'text' && <pre className="mail-text">{mail.text}</pre>}
      {tab === 'headers' && (
        <pre className="mail-text">
          {Object.entries(mail.headers)
            .map(([k, v]) => `${k}: ${v}`)
            .join('\n')}
        </pre>
      )}
    </article>
  );
}
