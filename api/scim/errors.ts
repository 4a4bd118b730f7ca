// SCIM's own error shape (RFC 7644 §3.12): identity providers parse `status` and `scimType`,
// not Herald's `{"error": …}`, so every answer under /scim/v2 uses it.
import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../common/logger.js';
import { DomainError } from '../../domain/errors.js';
import { fromDomainError, HttpError } from '../errors.js';
import { isDependencyDown } from '../../common/dependency-down.js';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

export const ScimErrorBody = z
  .object({
    schemas: z.array(z.literal(SCIM_ERROR_SCHEMA)),
    status: z.string().meta({ description: 'The HTTP status, as a string (RFC 7644 §3.12).', example: '409' }),
    scimType: z.string().optional().meta({ example: 'uniqueness' }),
    detail: z.string().optional(),
  })
  .meta({ id: 'ScimError', description: 'Every error under /scim/v2 has this shape.' });

/** `scimType` values of RFC 7644 Table 9. */
const SCIM_TYPES = ['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive'] as const;
export type ScimType = (typeof SCIM_TYPES)[number];

const isScimType = (code: string): code is ScimType => (SCIM_TYPES as readonly string[]).includes(code);

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | null,
    detail: string,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

interface BodyParserError {
  type?: string;
  status?: number;
}

function toScimError(err: unknown, logger: Logger): ScimError {
  if (err instanceof ScimError) return err;
  // A domain rule's code is its scimType when it names one (domain/directory/scim.ts).
  if (err instanceof DomainError && isScimType(err.code)) return new ScimError(fromDomainError(err).status, err.code, err.message);
  if (err instanceof DomainError && err.kind === 'not_found') return new ScimError(404, null, err.message);
  if (err instanceof DomainError) err = fromDomainError(err);
  if (err instanceof HttpError) {
    const scimType = err.status === 400 ? 'invalidSyntax' : null;
    const detail = err.details?.length ? `${err.message}: ${JSON.stringify(err.details)}` : err.message;
    return new ScimError(err.status, scimType, detail, err.headers);
  }
  const bp = err as BodyParserError;
  if (bp.type === 'entity.parse.failed') return new ScimError(400, 'invalidSyntax', 'the request body is not valid JSON');
  if (bp.type === 'entity.too.large') return new ScimError(413, null, 'the request body is larger than allowed');
  if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) return new ScimError(bp.status, null, 'the request could not be read');
  if (isDependencyDown(err)) return new ScimError(503, null, 'a dependency of Herald is unavailable; retry later', { 'Retry-After': '5' });
  logger.error({ err }, 'unhandled SCIM error');
  return new ScimError(500, null, 'an unexpected error occurred');
}

export function sendScimError(res: Response, err: unknown, logger: Logger): void {
  const e = toScimError(err, logger);
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(e.headers ?? {})) res.setHeader(k, v);
  res
    .status(e.status)
    .type(SCIM_CONTENT_TYPE)
    .send(JSON.stringify({ schemas: [SCIM_ERROR_SCHEMA], status: String(e.status), ...(e.scimType ? { scimType: e.scimType } : {}), detail: e.message }));
}

/** Body-parser failures on /scim paths, answered in SCIM's shape (they happen before any route runs). */
export function scimBodyErrors(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => sendScimError(res, err, logger);
}
