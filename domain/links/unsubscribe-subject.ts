import type { DbOrTx } from '../../schema/database.js';
import { findUser } from '../../schema/queries/users.js';
import { DomainError } from '../errors.js';
import { checkUnsubscribeToken, type CheckOptions, type UnsubscribeSubject } from './unsubscribe.js';

/** Whom an unsubscribe link names, if it is authentic, unexpired and the user still exists. */
export async function unsubscribeSubject(db: DbOrTx, key: string, token: string, o: CheckOptions): Promise<UnsubscribeSubject> {
  const c = checkUnsubscribeToken(key, token, o);
  // Only an authentic token is told it expired; it names nothing the holder did not know.
  if (c.status === 'expired') {
    throw new DomainError('gone', 'expired_unsubscribe_link', 'this unsubscribe link has expired; use the link in a more recent message, or ask the sender to unsubscribe you');
  }
  // One answer for a forged token and a deleted user: the page reveals nothing about either.
  if (c.status === 'invalid' || !(await findUser(db, c.subject.tenantId, c.subject.userId))) {
    throw new DomainError('not_found', 'invalid_unsubscribe_link', 'this unsubscribe link is not valid');
  }
  return c.subject;
}
