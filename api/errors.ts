// The one error shape of API.md, and the mapping from everything that can go wrong to it.
import type { ErrorRequestHandler, Request } from 'express';
import { z } from 'zod';
import { isDependencyDown } from '../common/dependency-down.js';
import type { Logger } from '../common/logger.js';
import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { requestIdOf } from './request-id.js';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'validation_failed' }),
      message: z.string(),
      details: z.array(z.unknown()).optional(),
      requestId: z.string().optional().meta({ description: 'The X-Request-Id of the request (quote it when reporting a problem).' }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error response has this shape.' });

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const unprocessable = (code: string, message: string, details?: unknown[]) => new HttpError(422, code, message, details);

/** PostgreSQL's class 22 (data exception): numeric out of range, invalid text, and so on. */
function isPgDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

const STATUS_OF: Record<DomainErrorKind, number> = {
  invalid: 400,
  unprocessable: 422,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  gone: 410,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

/** A domain error as the HTTP error clients see: the status from its kind, its code and message as they are. */
export function fromDomainError(err: DomainError): HttpError {
  const headers = err.retryAfterSeconds !== undefined ? { 'Retry-After': String(err.retryAfterSeconds) } : undefined;
  return new HttpError(STATUS_OF[err.kind], err.code, err.message, err.details, headers);
}

export const dependencyUnavailable = () => fromDomainError(new DomainError('unavailable', 'dependency_unavailable', 'a dependency of Herald is unavailable; retry later (nothing was lost)', undefined, 5));

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Anything thrown while handling a request, as the error the client gets (logged when it is Herald's fault or an outage). */
export function httpErrorOf(err: unknown, logger: Logger, req: Pick<Request, 'path' | 'method'>): HttpError {
  const bp = err as BodyParserError;
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return fromDomainError(err);
  if (bp.type === 'entity.parse.failed') return new HttpError(400, 'malformed_json', 'the request body is not valid JSON');
  if (bp.type === 'entity.too.large') return new HttpError(413, 'payload_too_large', 'the request body is larger than allowed');
  if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported') {
    return new HttpError(400, 'unsupported_encoding', 'the request body encoding is not supported; send UTF-8 JSON');
  }
  if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) return new HttpError(bp.status, 'bad_request', 'the request could not be read');
  if (isPgDataException(err)) {
    // A value the schema let through but PostgreSQL cannot hold (out of range, bad
    // encoding): the client's input, so a 400, and logged so the schema can be tightened.
    logger.warn({ code: (err as { code?: string }).code, path: req.path }, 'database refused a value');
    return new HttpError(400, 'invalid_value', 'a value in the request is out of range or malformed');
  }
  if (isDependencyDown(err)) {
    logger.warn({ err: { message: (err as Error).message }, path: req.path }, 'dependency unavailable');
    return dependencyUnavailable();
  }
  logger.error({ err, path: req.path, method: req.method }, 'unhandled error');
  return new HttpError(500, 'internal_error', 'an unexpected error occurred');
}

/** The error body of API.md, with the request's id. */
export function errorBodyOf(e: HttpError, requestId: string | undefined): z.infer<typeof ErrorBody> {
  return { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}), ...(requestId ? { requestId } : {}) } };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = httpErrorOf(err, logger, req);
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(e.headers ?? {})) res.setHeader(k, v);
    // JSON whatever the handler had set before it failed (res.json keeps a type already set):
    // every error is documented as application/json, and a client parses it as such.
    res.status(e.status).type('application/json').json(errorBodyOf(e, requestIdOf(req)));
  };
}
