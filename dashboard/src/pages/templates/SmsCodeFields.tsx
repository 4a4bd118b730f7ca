import type { ChangeEvent } from 'react';
import { useI18n } from '../../i18n/I18nProvider';
import { aliyunParamsOf, type SmsCodesForm } from './smsCodesForm';

interface Props {
  codes: SmsCodesForm;
  onChange: (codes: SmsCodesForm) => void;
}

/** Aliyun and Tencent send only templates registered in their consoles: their codes and parameters. */
export function SmsCodeFields({ codes, onChange }: Props) {
  const { t } = useI18n();
  const set = (field: keyof SmsCodesForm) => (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange({ ...codes, [field]: e.target.value });
  const badParams = aliyunParamsOf(codes.aliyunParams) === null;
  return (
    <fieldset className="sms-codes" data-testid="sms-codes">
      <legend>{t('smsCodes.title')}</legend>
      <p className="muted small">{t('smsCodes.hint')}</p>
      <div className="row">
        <label className="grow">
          {t('smsCodes.aliyunCode')}
          <input name="aliyunCode" value={codes.aliyunCode} onChange={set('aliyunCode')} placeholder="SMS_154950909" />
        </label>
        <label className="grow">
          {t('smsCodes.aliyunSignName')}
          <input name="aliyunSignName" value={codes.aliyunSignName} onChange={set('aliyunSignName')} />
        </label>
      </div>
      <label>
        {t('smsCodes.aliyunParams')}
        <textarea name="aliyunParams" className="code" rows={3} spellCheck={false} value={codes.aliyunParams} onChange={set('aliyunParams')} placeholder='{"code": "{{code}}"}' aria-invalid={badParams} />
      </label>
      {badParams && (
        <p className="notice warn" role="alert">
          {t('smsCodes.badParams')}
        </p>
      )}
      <div className="row">
        <label className="grow">
          {t('smsCodes.tencentId')}
          <input name="tencentId" value={codes.tencentId} onChange={set('tencentId')} placeholder="449739" />
        </label>
        <label className="grow">
          {t('smsCodes.tencentSignName')}
          <input name="tencentSignName" value={codes.tencentSignName} onChange={set('tencentSignName')} />
        </label>
      </div>
      <label>
        {t('smsCodes.tencentParams')}
        <textarea name="tencentParams" className="code" rows={3} spellCheck={false} value={codes.tencentParams} onChange={set('tencentParams')} placeholder={'{{code}}\n{{minutes}}'} />
      </label>
    </fieldset>
  );
}
