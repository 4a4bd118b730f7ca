// Whether a failed step is worth trying again, decided in one place for everything that
// retries: Temporal's activities (activities/failures.ts maps this to ApplicationFailure) and
// the batch delivery, which counts its own failures. One vocabulary of type names, so a
// failure reads alike in the Temporal UI, the ledger and the logs.
import { DeliveryError, DeliveryErrorType } from '../channels/errors.js';
import { isDependencyDown } from '../common/dependency-down.js';
import { DirectoryErrorCode } from './directory/errors.js';
import { DomainError, type DomainErrorKind } from './errors.js';

export const FailureType = {
  ...DeliveryErrorType,
  NotFound: 'NotFound',
  Invalid: 'Invalid',
  Unprocessable: 'Unprocessable',
  Forbidden: 'Forbidden',
  Conflict: 'Conflict',
  Gone: 'Gone',
  TooLarge: 'TooLarge',
  /** PostgreSQL, Temporal or a network peer is unreachable right now (common/dependency-down.ts). */
  DependencyDown: 'DependencyDown',
  DirectoryTls: 'DirectoryTlsError',
  DirectoryBind: 'DirectoryBindError',
  DirectoryConfig: 'DirectoryConfigError',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

const TYPE_OF_KIND: Record<DomainErrorKind, FailureType> = {
  invalid: FailureType.Invalid,
  unprocessable: FailureType.Unprocessable,
  not_found: FailureType.NotFound,
  forbidden: FailureType.Forbidden,
  conflict: FailureType.Conflict,
  gone: FailureType.Gone,
  too_large: FailureType.TooLarge,
  rate_limited: FailureType.RateLimited,
  unavailable: FailureType.Unavailable,
};

const TYPE_OF_CODE: Partial<Record<string, FailureType>> = {
  [DirectoryErrorCode.Tls]: FailureType.DirectoryTls,
  [DirectoryErrorCode.Bind]: FailureType.DirectoryBind,
  [DirectoryErrorCode.Config]: FailureType.DirectoryConfig,
};

/** Kinds that say "not now" rather than "never". */
const TRANSIENT_KINDS: ReadonlySet<DomainErrorKind> = new Set<DomainErrorKind>(['rate_limited', 'unavailable']);

export interface FailureClass {
  /** null: an error nobody classified (a bug, a library's own error); it is retried as it is. */
  type: FailureType | null;
  permanent: boolean;
  /** How long the other side asked us to wait, when it said. */
  retryAfterMs?: number | undefined;
}

export function classifyFailure(err: unknown): FailureClass {
  if (err instanceof DeliveryError) return { type: err.type, permanent: err.permanent, retryAfterMs: err.retryAfterMs };
  if (err instanceof DomainError) {
    return {
      type: TYPE_OF_CODE[err.code] ?? TYPE_OF_KIND[err.kind],
      permanent: !TRANSIENT_KINDS.has(err.kind),
      retryAfterMs: err.retryAfterSeconds === undefined ? undefined : err.retryAfterSeconds * 1000,
    };
  }
  if (isDependencyDown(err)) return { type: FailureType.DependencyDown, permanent: false };
  return { type: null, permanent: false };
}
