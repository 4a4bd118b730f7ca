// What a client asks for when it sends a notification, in the domain's own terms. The API's
// zod schema (api/schemas.ts NotificationRequest) validates requests into this shape and is
// checked against it at compile time, so the two cannot drift.
import type { Channel } from '../../channels/types.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import type { Priority } from '../../common/priorities.js';
import type { EmailOptions } from './email-options.js';
import type { InlineRecipient } from './inline-recipients.js';

/** If a recipient is not reached within afterSeconds, these channels are sent too. */
export interface Escalation {
  afterSeconds: number;
  channels: Channel[];
  until: 'delivered' | 'read';
}

export interface AcceptRequest {
  template: string;
  templateVersion?: number | undefined;
  /** The selectors, recipients named inline (stored as users, see inline-recipients.ts) and group chats (audience/chat-groups.ts). */
  to: AudienceSelectors & { recipients?: InlineRecipient[] | undefined; chats?: string[] | undefined };
  data: Record<string, unknown>;
  priority?: Priority | undefined;
  channels?: Channel[] | undefined;
  category?: string | undefined;
  sendAt?: string | undefined;
  expiresAt?: string | undefined;
  idempotencyKey?: string | undefined;
  escalation?: Escalation | undefined;
  /** Reply-to, cc, bcc and attachments of the email channel (email-options.ts). */
  email?: EmailOptions | undefined;
}
