import type { Insertable, JSONColumnType, Selectable } from 'kysely';

/** Per-recipient data of a notification (`to.recipients[].data`), merged over its `data` when rendering for that user. */
export interface NotificationRecipientsTable {
  notification_id: string;
  user_id: string;
  data: JSONColumnType<Record<string, unknown>>;
}
export type NotificationRecipientRow = Selectable<NotificationRecipientsTable>;
export type NewNotificationRecipient = Insertable<NotificationRecipientsTable>;
