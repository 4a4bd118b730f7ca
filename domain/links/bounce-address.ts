// VERP return paths: each email's envelope MAIL FROM is `bounce+<delivery id>.<mac>@<bounce
// domain>`, so a bounce names the delivery it is about without anyone having to parse the
// returned message, and the MAC (HMAC-SHA256 under a key derived from the signing key) lets
// the bounce receiver refuse addresses nobody was sent from: a forged bounce cannot mark
// someone else's delivery bounced or suppress an address.
//
// Local parts are lower-case hex and Herald's lower-case ids only: some MTAs change the case
// of the return path, and RFC 5321 caps a local part at 64 octets (7 + 30 + 1 + 24 here).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const BOUNCE_LOCAL_PREFIX = 'bounce+';
/** 96 bits of MAC: plenty against guessing over SMTP, and it keeps the local part within 64 octets. */
const MAC_HEX_CHARS = 24;
const MAX_LOCAL_PART = 64;
const DELIVERY_ID = /^[a-z0-9_]{1,40}$/;

/** A key of its own, so a bounce address can never stand in for a tracking or unsubscribe token. */
function mac(signingKey: string, deliveryId: string): string {
  const key = createHmac('sha256', signingKey).update('herald/bounce-address/v1').digest();
  return createHmac('sha256', key).update(deliveryId).digest('hex').slice(0, MAC_HEX_CHARS);
}

/** The envelope sender of one delivery's email. */
export function bounceAddress(signingKey: string, bounceDomain: string, deliveryId: string): string {
  if (!DELIVERY_ID.test(deliveryId)) throw new Error(`not a delivery id: ${deliveryId}`);
  const local = `${BOUNCE_LOCAL_PREFIX}${deliveryId}.${mac(signingKey, deliveryId)}`;
  if (local.length > MAX_LOCAL_PART) throw new Error('bounce address local part is longer than 64 octets');
  return `${local}@${bounceDomain.toLowerCase()}`;
}

/**
 * The delivery id a bounce address stands for, or undefined for any address that is not one
 * Herald signed for this domain (never throws on input). Several keys: the current one and
 * those rotated out, since bounces arrive days after the mail left.
 */
export function verifyBounceAddress(signingKeys: string | readonly string[], bounceDomain: string, address: string): string | undefined {
  if (address.length > 320) return undefined;
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at).toLowerCase();
  const domain = address.slice(at + 1).toLowerCase();
  if (domain !== bounceDomain.toLowerCase() || !local.startsWith(BOUNCE_LOCAL_PREFIX)) return undefined;
  const token = local.slice(BOUNCE_LOCAL_PREFIX.length);
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const deliveryId = token.slice(0, dot);
  const given = token.slice(dot + 1);
  if (!DELIVERY_ID.test(deliveryId) || !/^[0-9a-f]+$/.test(given) || given.length !== MAC_HEX_CHARS) return undefined;
  for (const key of typeof signingKeys === 'string' ? [signingKeys] : signingKeys) {
    if (timingSafeEqual(Buffer.from(given), Buffer.from(mac(key, deliveryId)))) return deliveryId;
  }
  return undefined;
}
