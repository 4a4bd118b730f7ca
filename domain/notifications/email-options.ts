// What an email notification carries beyond its template: reply-to, cc, bcc, attachments and
// inline images. Checked here so that a bad address, bad base64 or too many bytes is the
// caller's 422 naming the field, before anything is stored or queued. The bytes live in
// PostgreSQL beside the notification (never in a workflow's input or history); a file given
// by URL is fetched by the first delivery, through the outbound guard, and kept there too.
import type { Channel } from '../../channels/types.js';
import type { DbOrTx } from '../../schema/database.js';
import { insertEmailOptions, type StoredEmailOptions } from '../../schema/queries/notification-email.js';
import { findTenant } from '../../schema/queries/tenants.js';
import { EMAIL } from '../audience/policy.js';
import { unprocessable } from '../errors.js';

/** An attachment as a request gives it: its bytes in base64, or a URL to fetch them from. */
export interface EmailAttachment {
  filename: string;
  contentType?: string | undefined;
  /** Base64 of the file. */
  content?: string | undefined;
  /** http(s) URL fetched at send time through the outbound guard. */
  url?: string | undefined;
  /** Makes it an inline image, referenced from the html as `cid:<contentId>`. */
  contentId?: string | undefined;
}

export interface EmailOptions {
  replyTo?: string[] | undefined;
  cc?: string[] | undefined;
  bcc?: string[] | undefined;
  attachments?: EmailAttachment[] | undefined;
}

/** The most a tenant may allow per notification: 25 MiB, about what common relays accept once base64 adds its third. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

const refuse = (field: string, message: string) => unprocessable('invalid_email_options', `email.${field}: ${message}`, [{ field: `email.${field}` }]);

function checkAddresses(field: 'replyTo' | 'cc' | 'bcc', list: readonly string[] | undefined): string[] {
  (list ?? []).forEach((a, i) => {
    if (!EMAIL.test(a)) throw refuse(`${field}[${i}]`, `${JSON.stringify(a)} is not an email address`);
  });
  return [...(list ?? [])];
}

function urlOf(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse(field, 'not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse(field, `${url.protocol} is not http(s)`);
  return url.toString();
}

function decoded(i: number, a: EmailAttachment): StoredEmailOptions['attachments'][number] {
  const at = `attachments[${i}]`;
  if ((a.content === undefined) === (a.url === undefined)) throw refuse(at, 'give either content (base64) or url');
  if (a.contentType !== undefined && !CONTENT_TYPE.test(a.contentType)) throw refuse(`${at}.contentType`, `${JSON.stringify(a.contentType)} is not a media type, e.g. application/pdf`);
  if (a.content !== undefined && !BASE64.test(a.content)) throw refuse(`${at}.content`, 'not base64');
  return {
    position: i,
    filename: a.filename,
    content_type: a.contentType?.toLowerCase() ?? null,
    content_id: a.contentId ?? null,
    url: a.url === undefined ? null : urlOf(`${at}.url`, a.url),
    content: a.content === undefined ? null : Buffer.from(a.content, 'base64'),
  };
}

export type EmailPlan = Omit<StoredEmailOptions, 'notificationId'>;

/** The checked options, ready to store; 422 naming the field for anything wrong. */
export async function planEmailOptions(db: DbOrTx, tenantId: string, email: EmailOptions, channels: readonly Channel[]): Promise<EmailPlan> {
  if (!channels.includes('email')) throw unprocessable('invalid_email_options', 'email: reply-to, cc, bcc and attachments need the email channel', [{ field: 'email' }]);
  const attachments = (email.attachments ?? []).map((a, i) => decoded(i, a));
  const ids = attachments.map((a) => a.content_id).filter((id): id is string => id !== null);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw refuse(`attachments[${ids.lastIndexOf(twice)}].contentId`, `${JSON.stringify(twice)} is used twice`);
  const limit = (await findTenant(db, tenantId))?.max_attachment_bytes ?? 0;
  let total = 0;
  attachments.forEach((a, i) => {
    total += a.content?.length ?? 0;
    if (total > limit) throw refuse(`attachments[${i}].content`, `the attachments come to more than this tenant's ${limit} bytes (maxAttachmentBytes)`);
  });
  return { replyTo: checkAddresses('replyTo', email.replyTo), cc: checkAddresses('cc', email.cc), bcc: checkAddresses('bcc', email.bcc), attachments };
}

export async function storeEmailOptions(db: DbOrTx, notificationId: string, plan: EmailPlan): Promise<void> {
  await insertEmailOptions(db, { notificationId, ...plan });
}
