// The editor edits a template's email and SMS content and a few top-level fields; everything
// else the template has (other channels, locales, variables) is sent back untouched, because
// PUT replaces the whole draft.
import type { TemplateDraft } from '../../api/client';
import type { Template } from '../../api/types';
import { EMPTY_SMS_CODES, smsCodesOf, smsProvidersOf, type SmsCodesForm } from './smsCodesForm';

export interface EmailForm {
  name: string;
  category: string;
  subject: string;
  html: string;
  text: string;
  /** SMS text; empty: the template has no SMS content. */
  sms: string;
  /** The registered templates Aliyun and Tencent send instead of the SMS text. */
  smsCodes: SmsCodesForm;
}

export const EMPTY_FORM: EmailForm = { name: '', category: '', subject: '', html: '', text: '', sms: '', smsCodes: EMPTY_SMS_CODES };

export function formOf(t: Template): EmailForm {
  return {
    name: t.name ?? '',
    category: t.category ?? '',
    subject: t.email?.subject ?? '',
    html: t.email?.html ?? '',
    text: t.email?.text ?? '',
    sms: smsText(t.sms),
    smsCodes: smsCodesOf(t.sms),
  };
}

function smsText(sms: unknown): string {
  const text = (sms as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : '';
}

const READ_ONLY_FIELDS = new Set(['key', 'channels', 'publishedVersion', 'createdAt', 'updatedAt', 'name', 'category', 'email', 'sms']);

const hasEmail = (form: EmailForm) => form.subject.trim() !== '' || form.html.trim() !== '' || form.text.trim() !== '';

export function draftOf(base: Template | null, form: EmailForm): TemplateDraft {
  const kept: Record<string, unknown> = {};
  if (base) {
    for (const [k, v] of Object.entries(base)) if (!READ_ONLY_FIELDS.has(k) && v !== null && v !== undefined) kept[k] = v;
  }
  const email: NonNullable<TemplateDraft['email']> = { subject: form.subject };
  if (form.html) email.html = form.html;
  if (form.text) email.text = form.text;
  if (base?.email?.layout) email.layout = base.email.layout;
  return {
    ...kept,
    ...(form.name.trim() ? { name: form.name.trim() } : {}),
    ...(form.category.trim() ? { category: form.category.trim() } : {}),
    ...(hasEmail(form) ? { email } : {}),
    ...(form.sms.trim() ? { sms: { text: form.sms, ...withProviders(form.smsCodes) } } : {}),
  };
}

function withProviders(codes: SmsCodesForm) {
  const providers = smsProvidersOf(codes);
  return providers ? { providers } : {};
}

/**
 * The API needs email with a subject and html or text, or (email left empty) SMS text;
 * saving anything less only produces an error.
 */
export function isSavable(form: EmailForm): boolean {
  if (smsProvidersOf(form.smsCodes) === null) return false;
  if (!hasEmail(form)) return form.sms.trim() !== '';
  return form.subject.trim() !== '' && (form.html.trim() !== '' || form.text.trim() !== '');
}

export function parseSampleData(json: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(json || '{}');
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
