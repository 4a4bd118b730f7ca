// Domain errors: what went wrong in the terms of the business rules, never an HTTP status.
// api/errors.ts maps each kind to a status code; activities map them to retryable or
// non-retryable failures. One vocabulary, so both entry points classify a rule alike.

/** Why a request or a step cannot go on. */
export const DOMAIN_ERROR_KINDS = [
  /** The input is malformed (a shape or format check). */
  'invalid',
  /** Well-formed, but breaks a business rule. */
  'unprocessable',
  /** The object does not exist, or belongs to another tenant. */
  'not_found',
  /** The caller may not do this (e.g. the creator approving their own bulk send). */
  'forbidden',
  /** It clashes with the current state (already decided, key reused with another body). */
  'conflict',
  /** It existed and has expired (a signed link past its lifetime). */
  'gone',
  /** Too large for its limit. */
  'too_large',
  /** Too many, too fast: try again after `retryAfterSeconds`. */
  'rate_limited',
  /** A dependency is down right now; nothing was lost, try again. */
  'unavailable',
] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** snake_case, stable: clients and tests branch on it. */
    readonly code: string,
    message: string,
    readonly details?: unknown[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', 'not_found', `${what} not found`);
export const unprocessable = (code: string, message: string, details?: unknown[]) => new DomainError('unprocessable', code, message, details);
export const invalid = (code: string, message: string, details?: unknown[]) => new DomainError('invalid', code, message, details);
export const conflict = (code: string, message: string, details?: unknown[]) => new DomainError('conflict', code, message, details);
export const forbidden = (code: string, message: string) => new DomainError('forbidden', code, message);
export const dependencyUnavailable = () =>
  new DomainError('unavailable', 'dependency_unavailable', 'a dependency of Herald is unavailable; retry later (nothing was lost)', undefined, 5);
