import { useState } from 'react';
import { useSession } from '../../auth/SessionProvider';
import { LoadView } from '../../components/LoadView';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../hooks/useLoad';
import { useI18n } from '../../i18n/I18nProvider';
import { MailList } from './MailList';
import { MailView } from './MailView';

export function CapturedMailPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const mail = useLoad(() => api.listCapturedMail(), [], { endpoint: 'GET /v1/dev/mail', collection: true, refreshMs: 5000 });
  const [selected, setSelected] = useState<number | null>(null);
  return (
    <section>
      <PageHeader title={t('mail.title')}>
        <button type="button" className="secondary" onClick={mail.reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <p className="muted">{t('mail.intro')}</p>
      <LoadView state={mail.state}>
        {({ items }) => {
          const current = items.find((m) => m.id === selected) ?? items[0];
          return (
            <div className="split">
              <MailList items={items} selected={current?.id ?? null} onSelect={setSelected} />
              <div className="card">{current ? <MailView key={current.id} mail={current} /> : <p className="muted">{t('mail.select')}</p>}</div>
            </div>
          );
        }}
      </LoadView>
    </section>
  );
}
