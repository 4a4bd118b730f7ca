// Issuing preference-center links: only for a user the tenant has, for a bounded lifetime.
import type { DbOrTx } from '../../schema/database.js';
import { findUser } from '../../schema/queries/users.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import { signUserLink, type UserLinkPurpose } from './user-links.js';

const DAY = 86_400;
export const USER_LINK_LIFETIMES: Record<UserLinkPurpose, { defaultSeconds: number; maxSeconds: number }> = {
  preferences: { defaultSeconds: 30 * DAY, maxSeconds: 365 * DAY },
};

export async function issueUserLink(
  db: DbOrTx,
  signingKey: string,
  actor: Actor,
  purpose: UserLinkPurpose,
  userId: string,
  ttlSeconds: number | undefined,
): Promise<{ token: string; expiresAt: string }> {
  // A token for a user the tenant does not have would be a credential for nobody; and
  // another tenant's user id must not be confirmed or denied beyond "not found".
  if (!(await findUser(db, actor.tenantId, userId))) throw notFound('user');
  const expiresAt = new Date(Date.now() + (ttlSeconds ?? USER_LINK_LIFETIMES[purpose].defaultSeconds) * 1000);
  return { token: signUserLink(signingKey, purpose, { tenantId: actor.tenantId, userId }, expiresAt), expiresAt: expiresAt.toISOString() };
}
