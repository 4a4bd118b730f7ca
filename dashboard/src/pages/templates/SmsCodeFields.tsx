import { useI18n } from '../../i18n/I18nProvider';
import { aliyunParamsOf, type SmsCodesForm } from './smsCodesForm';

interface Props {
  codes: SmsCodesForm;
  onChange: (codes: SmsCodesForm) => void;
}

/** Aliyun and Tencent send only templates registered in their consoles: their codes and parameters. */
export function SmsCodeFields({ codes, onChange }: Props) {
  const { t } = useI18n();
  // Each field is labelled by the message of its own name (smsCodes.aliyunCode, …).
  const field = (name: keyof SmsCodesForm, opts: { placeholder?: string; multiline?: boolean; invalid?: boolean } = {}) => {
    const props = { name, value: codes[name], placeholder: opts.placeholder, onChange: (e: { target: { value: string } }) => onChange({ ...codes, [name]: e.target.value }) };
    return (
      <label className={opts.multiline ? undefined : 'grow'}>
        {t(`smsCodes.${name}`)}
        {opts.multiline ? <textarea className="code" rows={3} spellCheck={false} aria-invalid={opts.invalid} {...props} /> : <input {...props} />}
      </label>
    );
  };
  const badParams = aliyunParamsOf(codes.aliyunParams) === null;
  return (
    <fieldset className="sms-codes" data-testid="sms-codes">
      <legend>{t('smsCodes.title')}</legend>
      <p className="muted small">{t('smsCodes.hint')}</p>
      <div className="row">
        {field('aliyunCode', { placeholder: 'SMS_154950909' })}
        {field('aliyunSignName')}
      </div>
      {field('aliyunParams', { placeholder: '{"code": "{{code}}"}', multiline: true, invalid: badParams })}
      {badParams && (
        <p className="notice warn" role="alert">
          {t('smsCodes.badParams')}
        </p>
      )}
      <div className="row">
        {field('tencentId', { placeholder: '449739' })}
        {field('tencentSignName')}
      </div>
      {field('tencentParams', { placeholder: '{{code}}\n{{minutes}}', multiline: true })}
    </fieldset>
  );
}
