import type { ChangeEvent } from 'react';
import { useI18n } from '../../i18n/I18nProvider';
import type { EmailForm } from './emailForm';
import { SmsCodeFields } from './SmsCodeFields';

interface Props {
  form: EmailForm;
  readOnly: boolean;
  onChange: (form: EmailForm) => void;
}

export function EmailFields({ form, readOnly, onChange }: Props) {
  const { t } = useI18n();
  const set = (field: keyof EmailForm) => (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange({ ...form, [field]: e.target.value });
  return (
    <fieldset className="email-fields" disabled={readOnly}>
      <legend>{t('editor.content')}</legend>
      <div className="row">
        <label className="grow">
          {t('editor.name')}
          <input name="name" value={form.name} onChange={set('name')} />
        </label>
        <label className="grow">
          {t('editor.category')}
          <input name="category" value={form.category} onChange={set('category')} />
        </label>
      </div>
      <label>
        {t('editor.subject')}
        <input name="subject" required value={form.subject} onChange={set('subject')} />
      </label>
      <label>
        {t('editor.html')}
        <textarea name="html" className="code" rows={10} spellCheck={false} value={form.html} onChange={set('html')} />
      </label>
      <label>
        {t('editor.text')}
        <textarea name="text" className="code" rows={4} spellCheck={false} value={form.text} onChange={set('text')} />
      </label>
      <label>
        {t('editor.sms')}
        <textarea name="sms" className="code" rows={3} spellCheck={false} value={form.sms} onChange={set('sms')} />
      </label>
      <SmsCodeFields codes={form.smsCodes} onChange={(smsCodes) => onChange({ ...form, smsCodes })} />
    </fieldset>
  );
}
