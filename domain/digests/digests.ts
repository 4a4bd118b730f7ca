// Digest events: each joins the user's open digest for its key, and the digest sends one
// notification when its window closes. An event is checked before it joins: a template that
// can be sent and a user who exists.
import type { Channel } from '../../channels/types.js';
import type { Priority } from '../../common/priorities.js';
import { findUser } from '../../schema/queries/users.js';
import type { Actor } from '../actor.js';
import { unprocessable } from '../errors.js';
import { resolveTemplate, type AcceptDeps } from '../notifications/accept.js';
import type { Runs } from '../runs/runs.js';

export interface DigestEvent {
  userId: string;
  template: string;
  data: Record<string, unknown>;
  /** Set by the event that opens a window; later events join it. */
  windowSeconds: number;
  channels?: Channel[] | undefined;
  priority?: Priority | undefined;
}

export interface DigestDeps extends AcceptDeps {
  runs: Pick<Runs, 'signalDigest'>;
}

/** Adds the event to the digest; returns the digest's id. */
export async function addDigestEvent(deps: DigestDeps, auth: Actor, key: string, body: DigestEvent): Promise<string> {
  const { runs } = deps;
  await resolveTemplate(deps, auth.tenantId, { template: body.template });
  if (!(await findUser(deps.db, auth.tenantId, body.userId))) throw unprocessable('unknown_users', `user ${body.userId} does not exist`, [{ userId: body.userId }]);
  const digest = {
    tenantId: auth.tenantId,
    userId: body.userId,
    key,
    template: body.template,
    windowMs: body.windowSeconds * 1000,
    channels: body.channels ?? null,
    priority: body.priority ?? null,
  };
  return runs.signalDigest(digest, { data: body.data, at: new Date().toISOString() });
}
