import type { ColumnType, Insertable, Selectable, JSONColumnType } from 'kysely';

export interface EmailTemplate {
  subject: string;
  html?: string;
  text?: string;
  /** Key of a tenant layout that wraps the html. */
  layout?: string;
  /** `false` leaves this template's email without open pixel and tracked links. */
  tracking?: boolean;
}
/** Aliyun SendSms: a template registered in the Aliyun console, its variables by name. */
export interface AliyunSmsTemplate {
  templateCode: string;
  /** Overrides the provider config's `signName`. */
  signName?: string;
  /** TemplateParam: variable name → template text rendered per recipient. */
  templateParam?: Record<string, string>;
}
/** Tencent SendSms: a template registered in the Tencent console, its variables by position ({1}, {2}, …). */
export interface TencentSmsTemplate {
  templateId: string;
  /** Overrides the provider config's `signName`. */
  signName?: string;
  /** TemplateParamSet: template texts rendered per recipient, in the order of {1}, {2}, …. */
  templateParamSet?: string[];
}
/** Per provider kind, what providers that send registered templates only send instead of `text`. */
export interface SmsProviderTemplates {
  'aliyun-sms'?: AliyunSmsTemplate;
  'tencent-sms'?: TencentSmsTemplate;
}
export interface SmsTemplate {
  text: string;
  providers?: SmsProviderTemplates;
}
export interface ChatTemplate {
  title?: string;
  markdown: string;
}
export interface PushTemplate {
  title: string;
  body: string;
  url?: string;
  icon?: string;
  data?: Record<string, string>;
}
export interface InappTemplate {
  title: string;
  body: string;
  url?: string;
  data?: Record<string, unknown>;
  /** Buttons: a label with a url (a link) or without one (a callback that records an event). */
  actions?: { id: string; label: string; url?: string }[];
}
export interface WebhookTemplate {
  /** Any JSON; every string leaf is a template. */
  body: unknown;
}

export interface ChannelTemplates {
  email?: EmailTemplate;
  sms?: SmsTemplate;
  chat?: ChatTemplate;
  push?: PushTemplate;
  inapp?: InappTemplate;
  webhook?: WebhookTemplate;
}

/** Per-locale overrides: any channel's fields, partially. */
export type LocaleOverrides = { [C in keyof ChannelTemplates]?: Partial<NonNullable<ChannelTemplates[C]>> };

/**
 * Template content as stored, one JSON document so a version is a single diff-friendly
 * value. `assets` is filled at publish: the layouts and partials the content used, frozen
 * with the version so a later layout edit cannot change what a published version sends.
 */
export interface TemplateContent extends ChannelTemplates {
  locales?: Record<string, LocaleOverrides>;
  /** JSON Schema of a notification's `data`. */
  variables?: Record<string, unknown>;
  /**
   * JSON Schema of the `recipient` a template renders with (id, name, email, phone, locale,
   * timezone, attributes; empty fields absent). A delivery to a user who does not satisfy it
   * is suppressed `missing_recipient_variables`.
   */
  recipientVariables?: Record<string, unknown>;
  exampleData?: Record<string, unknown>;
  assets?: { layouts: Record<string, string>; partials: Record<string, string> };
}

export interface TemplatesTable {
  tenant_id: string;
  key: string;
  name: string | null;
  category: string | null;
  default_priority: string;
  /** The draft being edited. */
  content: JSONColumnType<TemplateContent>;
  published_version: number | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface TemplateVersionsTable {
  tenant_id: string;
  key: string;
  version: number;
  /** Immutable copy of the content at publish time. */
  content: JSONColumnType<TemplateContent>;
  category: string | null;
  default_priority: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type TemplateRow = Selectable<TemplatesTable>;
export type NewTemplate = Insertable<TemplatesTable>;
export type TemplateVersionRow = Selectable<TemplateVersionsTable>;
