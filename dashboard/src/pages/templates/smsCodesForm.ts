// The registered SMS templates of Aliyun and Tencent (the API's `sms.providers`), as the
// editor shows them: Aliyun's TemplateParam as a JSON object, Tencent's TemplateParamSet one
// value per line ({1}, {2}, … in order).
export interface SmsCodesForm {
  aliyunCode: string;
  aliyunSignName: string;
  aliyunParams: string;
  tencentId: string;
  tencentSignName: string;
  tencentParams: string;
}

export interface SmsProviders {
  'aliyun-sms'?: { templateCode: string; signName?: string; templateParam?: Record<string, string> };
  'tencent-sms'?: { templateId: string; signName?: string; templateParamSet?: string[] };
}

export const EMPTY_SMS_CODES: SmsCodesForm = { aliyunCode: '', aliyunSignName: '', aliyunParams: '', tencentId: '', tencentSignName: '', tencentParams: '' };

export function smsCodesOf(sms: unknown): SmsCodesForm {
  const p = ((sms as { providers?: SmsProviders } | undefined)?.providers ?? {}) as SmsProviders;
  const aliyun = p['aliyun-sms'];
  const tencent = p['tencent-sms'];
  return {
    aliyunCode: aliyun?.templateCode ?? '',
    aliyunSignName: aliyun?.signName ?? '',
    aliyunParams: aliyun?.templateParam ? JSON.stringify(aliyun.templateParam, null, 2) : '',
    tencentId: tencent?.templateId ?? '',
    tencentSignName: tencent?.signName ?? '',
    tencentParams: (tencent?.templateParamSet ?? []).join('\n'),
  };
}

/** Aliyun's parameters: an object of strings, or null when the text is not one. */
export function aliyunParamsOf(text: string): Record<string, string> | null | undefined {
  if (!text.trim()) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) return null;
    return v as Record<string, string>;
  } catch {
    return null;
  }
}

/** `sms.providers` for the draft (absent when neither is filled in); null when Aliyun's parameters are not a JSON object of strings. */
export function smsProvidersOf(f: SmsCodesForm): SmsProviders | null | undefined {
  const params = aliyunParamsOf(f.aliyunParams);
  if (params === null) return null;
  const out: SmsProviders = {};
  if (f.aliyunCode.trim()) {
    out['aliyun-sms'] = { templateCode: f.aliyunCode.trim(), ...(f.aliyunSignName.trim() ? { signName: f.aliyunSignName.trim() } : {}), ...(params ? { templateParam: params } : {}) };
  }
  if (f.tencentId.trim()) {
    const set = f.tencentParams.split('\n').filter((line) => line.trim() !== '');
    out['tencent-sms'] = { templateId: f.tencentId.trim(), ...(f.tencentSignName.trim() ? { signName: f.tencentSignName.trim() } : {}), ...(set.length ? { templateParamSet: set } : {}) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
