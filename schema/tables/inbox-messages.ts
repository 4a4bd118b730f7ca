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
  /** The notification's category, or null. */
  category: string | null;
  /** Rendered for this recipient; an action without a url is a callback that records an event. */
  actions: ColumnType<InboxAction[], string | undefined, string>;
  created_at: ColumnType<Date, Date | undefined, never>;
  /** Shown in a list the user opened; reading implies it. */
  seen_at: Date | null;
  read_at: Date | null;
  archived_at: Date | null;
  /** Deleted by the user, or recalled by the sender. */
  deleted_at: Date | null;
}
export interface InboxAction {
  id: string;
  label: string;
  url?: string | undefined;
}
export type InboxMessageRow = Selectable<InboxMessagesTable>;
export type NewInboxMessage = Insertable<InboxMessagesTable>;
