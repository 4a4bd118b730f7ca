import type { ColumnType, Insertable, Selectable } from 'kysely';

export type TemplateAssetKind = 'layout' | 'partial';

/** A tenant's email layout (html with `{{{body}}}`) or partial, referred to by key. */
export interface TemplateAssetsTable {
  tenant_id: string;
  kind: TemplateAssetKind;
  key: string;
  source: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type TemplateAssetRow = Selectable<TemplateAssetsTable>;
export type NewTemplateAsset = Insertable<TemplateAssetsTable>;
