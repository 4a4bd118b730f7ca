// Recipients a tenant keeps out of its directory (tenant setting `inlineRecipients:
// 'ephemeral'`): a send that names them inline still stores a users row, because
// preferences, unsubscribes and frequency caps hang off it, but the row carries the time
// after which the storage maintenance deletes it, and until then it is listed nowhere and
// reached by no bulk selector. Their deliveries keep the address they went to.
import type { InlineRecipientMode } from '../../schema/tables/tenants.js';

export const INLINE_RECIPIENT_MODES = ['directory', 'ephemeral'] as const satisfies readonly InlineRecipientMode[];
export const EPHEMERAL_MIN_SECONDS = 60;
export const EPHEMERAL_MAX_SECONDS = 365 * 86_400;
export const EPHEMERAL_DEFAULT_SECONDS = 30 * 86_400;

/**
 * Until when an ephemeral recipient of a send is kept: the tenant's retention after the send
 * goes out (its `sendAt`, else now), or its expiry when that is later, so the row outlives
 * every delivery attempt of the send. Null in `directory` mode: a directory user.
 */
export function ephemeralUntil(
  tenant: { inline_recipients: InlineRecipientMode; ephemeral_recipient_seconds: number },
  send: { now: Date; sendAt?: string | undefined; expiresAt?: string | undefined },
): Date | null {
  if (tenant.inline_recipients !== 'ephemeral') return null;
  const from = Math.max(send.now.getTime(), send.sendAt ? Date.parse(send.sendAt) : 0);
  const until = from + tenant.ephemeral_recipient_seconds * 1000;
  return new Date(Math.max(until, send.expiresAt ? Date.parse(send.expiresAt) : 0));
}
