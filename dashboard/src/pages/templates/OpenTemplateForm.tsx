import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useI18n } from '../../i18n/I18nProvider';

export function OpenTemplateForm() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [key, setKey] = useState('');
  function submit(e: FormEvent) {
    e.preventDefault();
    if (key.trim()) void navigate(`/templates/${encodeURIComponent(key.trim())}`);
  }
  return (
    <form className="card row" onSubmit={submit} data-testid="open-template">
      <label className="grow">
        {t('templates.openByKey')}
        <input name="templateKey" value={key} pattern="[A-Za-z0-9][A-Za-z0-9._:@-]*" placeholder="welcome" onChange={(e) => setKey(e.target.value)} />
      </label>
      <button type="submit">{t('common.open')}</button>
    </form>
  );
}
