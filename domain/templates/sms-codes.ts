// Aliyun and Tencent send only templates registered in their consoles, by code, with the
// variables filled in; they never send Herald's rendered text. A template declares, per such
// provider kind, the code and its parameters (parameters are template text, rendered per
// recipient like the rest). This module is the one place that knows which kinds need what:
// composing a message reads it, and so do the checks when a template is saved and when a
// send is accepted.
import type { SmsContent } from '../../channels/types.js';
import type { DbOrTx } from '../../schema/database.js';
import { listProviders } from '../../schema/queries/providers.js';
import type { SmsProviderTemplates, TemplateContent } from '../../schema/tables/templates.js';
import { unprocessable } from '../errors.js';
import { resolveVariant, type RenderedSms } from './render.js';

type CodedKind = keyof SmsProviderTemplates;

/** The kinds that send registered templates only, and the field that names the template. */
const CODE_FIELD: Record<CodedKind, string> = { 'aliyun-sms': 'templateCode', 'tencent-sms': 'templateId' };

export const CODED_SMS_KINDS = Object.keys(CODE_FIELD) as CodedKind[];

const isCoded = (kind: string): kind is CodedKind => Object.hasOwn(CODE_FIELD, kind);

function declaredCode(providers: SmsProviderTemplates | undefined, kind: CodedKind): string | undefined {
  return kind === 'aliyun-sms' ? providers?.['aliyun-sms']?.templateCode : providers?.['tencent-sms']?.templateId;
}

/** The SMS an adapter of `kind` gets: the rendered text, plus that kind's registered template when the template declares one. */
export function smsContentFor(rendered: RenderedSms, kind: string | undefined): SmsContent {
  const { text, providers } = rendered;
  const aliyun = kind === 'aliyun-sms' ? providers?.['aliyun-sms'] : undefined;
  if (aliyun) return { text, templateId: aliyun.templateCode, signName: aliyun.signName, templateParams: aliyun.templateParam };
  const tencent = kind === 'tencent-sms' ? providers?.['tencent-sms'] : undefined;
  if (tencent) return { text, templateId: tencent.templateId, signName: tencent.signName, templateParams: tencent.templateParamSet };
  return { text };
}

/** Codes declared for a kind that does not send registered templates (or does not exist): refused when the template is saved. */
export function unknownSmsKinds(content: TemplateContent): { field: string; message: string }[] {
  const declared: [string, object | undefined][] = [['sms', content.sms?.providers], ...Object.entries(content.locales ?? {}).map(([l, o]): [string, object | undefined] => [`locales.${l}.sms`, o.sms?.providers])];
  return declared.flatMap(([where, providers]) =>
    Object.keys(providers ?? {})
      .filter((kind) => !isCoded(kind))
      .map((kind) => ({ field: `${where}.providers.${kind}`, message: `${kind} is not a provider kind that sends registered SMS templates (${CODED_SMS_KINDS.join(', ')})` })),
  );
}

/**
 * Refuses (422) an SMS send that none of the tenant's enabled SMS providers could carry: each
 * sends registered templates only and the template (in its default or some locale's content)
 * lacks that kind's code. When another provider can carry it, routing skips those without a
 * code and fails over (the adapters refuse a message without one).
 */
export async function checkSmsCodes(db: DbOrTx, tenantId: string, templateKey: string, content: TemplateContent): Promise<void> {
  if (!content.sms) return;
  const rows = await listProviders(db, tenantId, { channel: 'sms', enabledOnly: true });
  const locales = [null, ...Object.entries(content.locales ?? {}).flatMap(([l, o]) => (o.sms?.providers ? [l] : []))];
  const missing = locales.flatMap((locale) => {
    const providers = resolveVariant(content, 'sms', locale).template?.providers;
    const lacking = rows.flatMap((r) => (isCoded(r.kind) && !declaredCode(providers, r.kind) ? [{ template: templateKey, locale, provider: r.id, kind: r.kind, missing: CODE_FIELD[r.kind] }] : []));
    return lacking.length === rows.length ? lacking : [];
  });
  const first = missing[0];
  if (!first) return;
  throw unprocessable(
    'sms_template_code_missing',
    `template ${templateKey} has no sms.providers.${first.kind}.${first.missing} for SMS provider ${first.provider}${first.locale ? ` (locale ${first.locale})` : ''}, and no other enabled SMS provider can send it`,
    missing,
  );
}
