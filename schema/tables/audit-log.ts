import type { ColumnType, Insertable, Selectable, JSONColumnType, Generated } from 'kysely';

export interface AuditLogTable {
  id: Generated<string>;
  tenant_id: string;
  /** The API key id that acted, or `system`. */
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  details: JSONColumnType<Record<string, unknown>>;
  at: ColumnType<Date, Date | undefined, never>;
}
export type AuditLogRow = Selectable<AuditLogTable>;
export type NewAuditLogEntry = Insertable<AuditLogTable>;
