import type { ColumnType, Insertable, Selectable, JSONColumnType } from 'kysely';

/** Per-channel template content as stored; the API validates its shape. */
export interface TemplateContent {
  email?: { subject: string; html?: string; text?: string };
  [channel: string]: unknown;
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
