// The one error shape of API.md, and the mapping from everything that can go wrong to it.
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../common/logger.js';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'validation_failed' }),
      message: z.string(),
      details: z.array(z.unknown()).optional(),
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

const PG_DOWN_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const NET_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** True for failures that mean a dependency (PostgreSQL, Temporal) is unreachable right now. */
export function isDependencyDown(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof x.code === 'string' && (PG_DOWN_CODES.has(x.code) || NET_DOWN_CODES.has(x.code))) return true;
    if (x.code === GRPC_UNAVAILABLE || x.code === GRPC_DEADLINE_EXCEEDED) return true;
    const msg = typeof x.message === 'string' ? x.message : '';
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(msg)) return true;
    if (x.name === 'ServiceError' && /UNAVAILABLE|DEADLINE_EXCEEDED|Failed to connect/i.test(msg)) return true;
  }
  return false;
}

/** PostgreSQL's class 22 (data exception): numeric out of range, invalid text, and so on. */
function isPgDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

export const dependencyUnavailable = () =>
  new HttpError(503, 'dependency_unavailable', 'a dependency of Herald is unavailable; retry later (nothing was lost)', undefined, {
    'Retry-After': '5',
  });

interface BodyParserError {
  type?: string;
  status?: number;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: HttpError;
    const bp = err as BodyParserError;
    if (err instanceof HttpError) e = err;
    else if (bp.type === 'entity.parse.failed') e = new HttpError(400, 'malformed_json', 'the request body is not valid JSON');
    else if (bp.type === 'entity.too.large') e = new HttpError(413, 'payload_too_large', 'the request body is larger than allowed');
    else if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported') {
      e = new HttpError(400, 'unsupported_encoding', 'the request body encoding is not supported; send UTF-8 JSON');
    } else if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
      e = new HttpError(bp.status, 'bad_request', 'the request could not be read');
    } else if (isPgDataException(err)) {
      // A value the schema let through but PostgreSQL cannot hold (out of range, bad
      // encoding): the client's input, so a 400, and logged so the schema can be tightened.
      logger.warn({ code: (err as { code?: string }).code, path: req.path }, 'database refused a value');
      e = new HttpError(400, 'invalid_value', 'a value in the request is out of range or malformed');
    } else if (isDependencyDown(err)) {
      logger.warn({ err: { message: (err as Error).message }, path: req.path }, 'dependency unavailable');
      e = dependencyUnavailable();
    } else {
      logger.error({ err, path: req.path, method: req.method }, 'unhandled error');
      e = new HttpError(500, 'internal_error', 'an unexpected error occurred');
    }
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(e.headers ?? {})) res.setHeader(k, v);
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
  };
}
