// X-Request-Id: the caller's, when it is a short run of safe characters, else a fresh one.
// Set on every response before anything else runs, carried on every log line written while
// the request is handled (common/log-context.ts), and echoed in error bodies (api/errors.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { withLogFields } from '../common/log-context.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The request id of a request that went through `requestId()`; undefined before. */
export function requestIdOf(req: IncomingMessage): string | undefined {
  return (req as { id?: unknown }).id as string | undefined;
}

/** The caller's id when acceptable; anything else (too long, odd characters, repeated) is replaced. */
export function acceptedRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
}

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const id = acceptedRequestId(req.headers[REQUEST_ID_HEADER]);
    (req as unknown as { id: string }).id = id;
    (res as ServerResponse).setHeader('X-Request-Id', id);
    withLogFields({ requestId: id }, next);
  };
}
