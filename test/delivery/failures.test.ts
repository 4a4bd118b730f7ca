// One classification of failures for every step that retries: what the delivery batch counts
// as failed or to retry is exactly what Temporal is told is non-retryable or retryable.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toActivityFailure } from '../../activities/failures.js';
import { DeliveryError, DeliveryErrorType } from '../../channels/errors.js';
import { directoryError, DirectoryErrorCode } from '../../domain/directory/errors.js';
import { dependencyUnavailable, notFound, unprocessable, DomainError } from '../../domain/errors.js';
import { classifyFailure, FailureType } from '../../domain/failures.js';

function failureOf(err: unknown): ApplicationFailure {
  const f = toActivityFailure(err);
  expect(f).toBeInstanceOf(ApplicationFailure);
  return f as ApplicationFailure;
}

describe('failure classification', () => {
  it('a permanent delivery error is non-retryable, under its own type and message', () => {
    const f = failureOf(new DeliveryError(DeliveryErrorType.InvalidRecipient, 'SMTP 550 at RCPT TO: no such user', { code: 550 }));
    expect(f).toMatchObject({ type: 'InvalidRecipient', nonRetryable: true, message: 'SMTP 550 at RCPT TO: no such user' });
    expect(f.nextRetryDelay).toBeUndefined();
  });

  it("a transient one is retried after the provider's Retry-After", () => {
    const f = failureOf(new DeliveryError(DeliveryErrorType.RateLimited, 'HTTP 429', { code: 429, retryAfterMs: 7000 }));
    expect(f).toMatchObject({ type: 'RateLimited', nonRetryable: false, nextRetryDelay: 7000 });
    expect(failureOf(new DeliveryError(DeliveryErrorType.Unavailable, 'SMTP 451'))).toMatchObject({ type: 'Unavailable', nonRetryable: false, nextRetryDelay: undefined });
    expect(classifyFailure(new DeliveryError(DeliveryErrorType.Network, 'ECONNRESET'))).toEqual({ type: 'Network', permanent: false, retryAfterMs: undefined });
  });

  it('domain errors that no retry can cure are non-retryable; "not now" ones are retried', () => {
    expect(failureOf(notFound('delivery dlv_1'))).toMatchObject({ type: FailureType.NotFound, nonRetryable: true, message: 'delivery dlv_1 not found' });
    expect(failureOf(unprocessable('x', 'breaks a rule'))).toMatchObject({ type: FailureType.Unprocessable, nonRetryable: true });
    expect(failureOf(dependencyUnavailable())).toMatchObject({ type: FailureType.Unavailable, nonRetryable: false, nextRetryDelay: 5000 });
    expect(failureOf(new DomainError('rate_limited', 'slow_down', 'too fast', undefined, 2))).toMatchObject({ type: FailureType.RateLimited, nonRetryable: false, nextRetryDelay: 2000 });
  });

  it('directory configuration failures keep their names and are not retried', () => {
    expect(failureOf(directoryError(DirectoryErrorCode.Tls, 'untrusted'))).toMatchObject({ type: 'DirectoryTlsError', nonRetryable: true, message: 'untrusted' });
    expect(failureOf(directoryError(DirectoryErrorCode.Bind, 'invalid credentials'))).toMatchObject({ type: 'DirectoryBindError', nonRetryable: true });
    expect(failureOf(directoryError(DirectoryErrorCode.Config, 'no directory'))).toMatchObject({ type: 'DirectoryConfigError', nonRetryable: true });
  });

  it('a dependency that is down is retried; an error nobody classified passes through for Temporal to retry', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(failureOf(down)).toMatchObject({ type: FailureType.DependencyDown, nonRetryable: false });
    const bug = new TypeError('x is undefined');
    expect(toActivityFailure(bug)).toBe(bug);
    expect(classifyFailure(bug).permanent).toBe(false);
  });
});
