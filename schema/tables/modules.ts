import type { ColumnType, Insertable, Selectable } from 'kysely';

/** An application module users belong to or subscribe to: a bulk audience selector. */
export interface ModulesTable {
  tenant_id: string;
  id: string;
  name: string | null;
  description: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface UserModulesTable {
  tenant_id: string;
  module_id: string;
  user_id: string;
}

export type ModuleRow = Selectable<ModulesTable>;
export type NewModule = Insertable<ModulesTable>;
