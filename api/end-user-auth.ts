// An end user's own calls (the inbox widget, a page listing their topics) authenticate with a
// signed inbox token in the `Authorization: Bearer` header (domain/links/inbox-tokens.ts);
// one 401 for every token that is not good.
import type { Request } from 'express';
import { verifyInboxToken, type InboxKeyDeps } from '../domain/links/inbox-tokens.js';
import type { InboxOwner } from '../domain/recipients/inbox.js';
import { HttpError } from './errors.js';

const invalidToken = () => new HttpError(401, 'invalid_token', 'this inbox token is not valid, has expired or its key was retired', undefined, { 'WWW-Authenticate': 'Bearer realm="herald-inbox"' });

/** The user (and tenant) the request's inbox token names, or a 401. */
export async function inboxTokenOwner(keys: InboxKeyDeps, req: Request): Promise<InboxOwner> {
  const m = /^Bearer (\S+)$/i.exec(req.get('authorization') ?? '');
  const owner = m?.[1] ? await verifyInboxToken(keys, m[1]) : undefined;
  if (!owner) throw invalidToken();
  return owner;
}
