import type { ColumnType, Insertable, Selectable } from 'kysely';

/** Reply-to, cc and bcc of an email notification (README: email extras). */
export interface NotificationEmailTable {
  notification_id: string;
  reply_to: ColumnType<string[], string[] | undefined, string[]>;
  cc: ColumnType<string[], string[] | undefined, string[]>;
  bcc: ColumnType<string[], string[] | undefined, string[]>;
}
export type NotificationEmailRow = Selectable<NotificationEmailTable>;

/** An attachment or inline image (`content_id`) of an email notification. */
export interface NotificationAttachmentsTable {
  notification_id: string;
  position: number;
  filename: string;
  /** Declared by the request; a fetched URL's answer must match it. */
  content_type: string | null;
  content_id: string | null;
  /** Fetched by the first delivery when `content` is null. */
  url: string | null;
  content: Buffer | null;
}
export type NotificationAttachmentRow = Selectable<NotificationAttachmentsTable>;
export type NewNotificationAttachment = Insertable<NotificationAttachmentsTable>;
