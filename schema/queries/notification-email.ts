// Reply-to, cc, bcc and attachments of an email notification (README: email extras).
import type { DbOrTx } from '../database.js';
import type { NewNotificationAttachment, NotificationAttachmentRow, NotificationEmailRow } from '../tables/notification-email.js';

export interface StoredEmailOptions {
  notificationId: string;
  replyTo: string[];
  cc: string[];
  bcc: string[];
  attachments: Omit<NewNotificationAttachment, 'notification_id'>[];
}

/** Written once per notification; a replayed request writes nothing new. */
export async function insertEmailOptions(db: DbOrTx, o: StoredEmailOptions): Promise<void> {
  await db
    .insertInto('notification_email')
    .values({ notification_id: o.notificationId, reply_to: o.replyTo, cc: o.cc, bcc: o.bcc })
    .onConflict((oc) => oc.column('notification_id').doNothing())
    .execute();
  if (o.attachments.length === 0) return;
  await db
    .insertInto('notification_attachments')
    .values(o.attachments.map((a) => ({ ...a, notification_id: o.notificationId })))
    .onConflict((oc) => oc.columns(['notification_id', 'position']).doNothing())
    .execute();
}

export async function findEmailOptions(db: DbOrTx, notificationId: string): Promise<{ email: NotificationEmailRow | undefined; attachments: NotificationAttachmentRow[] }> {
  const email = await db.selectFrom('notification_email').selectAll().where('notification_id', '=', notificationId).executeTakeFirst();
  const attachments = await db.selectFrom('notification_attachments').selectAll().where('notification_id', '=', notificationId).orderBy('position').execute();
  return { email, attachments };
}

/** Keeps what a URL answered, so later deliveries send the same bytes without fetching again. */
export async function storeFetchedAttachment(db: DbOrTx, notificationId: string, position: number, content: Buffer, contentType: string): Promise<void> {
  await db
    .updateTable('notification_attachments')
    .set({ content, content_type: contentType })
    .where('notification_id', '=', notificationId)
    .where('position', '=', position)
    .where('content', 'is', null)
    .execute();
}

/** A resend carries what the notification it resends carried. */
export async function copyEmailOptions(db: DbOrTx, fromId: string, toId: string): Promise<void> {
  await db
    .insertInto('notification_email')
    .columns(['notification_id', 'reply_to', 'cc', 'bcc'])
    .expression((eb) => eb.selectFrom('notification_email').select([eb.val(toId).as('notification_id'), 'reply_to', 'cc', 'bcc']).where('notification_id', '=', fromId))
    .onConflict((oc) => oc.column('notification_id').doNothing())
    .execute();
  await db
    .insertInto('notification_attachments')
    .columns(['notification_id', 'position', 'filename', 'content_type', 'content_id', 'url', 'content'])
    .expression((eb) =>
      eb.selectFrom('notification_attachments').select([eb.val(toId).as('notification_id'), 'position', 'filename', 'content_type', 'content_id', 'url', 'content']).where('notification_id', '=', fromId),
    )
    .onConflict((oc) => oc.columns(['notification_id', 'position']).doNothing())
    .execute();
}
