// Opens and clicks from signed tracking links: each is recorded once per message (per link,
// for clicks). An expired click link is not followed either: its target was checked when
// the mail was sent, and a domain can change hands in the years an old message sits in a mailbox.
import { DomainError } from '../errors.js';
import { checkTrackingToken, type CheckOptions } from '../links/tracking-links.js';
import type { Tracker } from './tracker.js';

export interface EngagementDeps {
  tracker: Pick<Tracker, 'engagement'>;
  signingKey: string;
  check: CheckOptions;
}

const invalidLink = () => new DomainError('not_found', 'invalid_tracking_link', 'this tracking link is not valid');
const expiredLink = () => new DomainError('gone', 'expired_tracking_link', 'this tracking link has expired and no longer leads anywhere');

/** Records the open the pixel's token names. */
export async function recordOpen(deps: EngagementDeps, token: string): Promise<void> {
  const c = checkTrackingToken(deps.signingKey, 'open', token, deps.check);
  if (c.status === 'expired') throw expiredLink();
  if (c.status === 'invalid' || !(await deps.tracker.engagement(c.subject.deliveryId, { kind: 'opened' }))) throw invalidLink();
}

/** Records the click and returns the link's original URL. */
export async function followClick(deps: EngagementDeps, token: string): Promise<string> {
  const c = checkTrackingToken(deps.signingKey, 'click', token, deps.check);
  if (c.status === 'expired') throw expiredLink();
  if (c.status === 'invalid') throw invalidLink();
  const s = c.subject;
  // The URL is ours (signed), so it is followed even if the message's records are gone.
  await deps.tracker.engagement(s.deliveryId, { kind: 'clicked', url: s.url });
  return s.url;
}
