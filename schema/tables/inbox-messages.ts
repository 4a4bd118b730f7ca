import type { ColumnType, Insertable, Selectable, JSONColumnType } from 'kysely';

export interface InboxMessagesTable {
  id: string;
  tenant_id: string;
  user_id: string;
  notification_id: string;
  title: string;
  body: string;
  url: string | null;
  data: JSONColumnType<Record<string, unknown>>;
  created_at: ColumnType<Date, Date | undefined, never>;
  read_at: Date | null;
  /** Deleted by the user, or recalled by the sender. */
  deleted_at: Date | null;
}
export type InboxMessageRow = Selectable<InboxMessagesTable>;
export type NewInboxMessage = Insertable<InboxMessagesTable>;
