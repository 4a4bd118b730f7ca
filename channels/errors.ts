// One vocabulary of delivery error types. Channel adapters throw DeliveryError with one
// of these; the delivery activity decides retry vs. give up from `permanent` alone.

export const DeliveryErrorType = {
  /** The recipient address/token is invalid or rejected for good (SMTP 5xx on RCPT, 400/404/410 from a push service). */
  InvalidRecipient: 'InvalidRecipient',
  /** The provider refused the message permanently (SMTP 5xx on DATA, other 4xx HTTP). */
  Rejected: 'Rejected',
  /** Credentials or provider configuration are wrong. */
  ProviderConfig: 'ProviderConfig',
  /** Temporary refusal (SMTP 4xx, HTTP 5xx). */
  Unavailable: 'Unavailable',
  /** The provider asked us to slow down (HTTP 429, SMTP 421/451 with rate wording). */
  RateLimited: 'RateLimited',
  /** Network failure or timeout before an answer. */
  Network: 'Network',
  /** Herald itself could not build the message (template render error, missing identity). */
  Content: 'Content',
} as const;
export type DeliveryErrorType = (typeof DeliveryErrorType)[keyof typeof DeliveryErrorType];

const PERMANENT: ReadonlySet<DeliveryErrorType> = new Set<DeliveryErrorType>([
  DeliveryErrorType.InvalidRecipient,
  DeliveryErrorType.Rejected,
  DeliveryErrorType.ProviderConfig,
  DeliveryErrorType.Content,
]);

export function isPermanent(type: DeliveryErrorType): boolean {
  return PERMANENT.has(type);
}

export class DeliveryError extends Error {
  readonly type: DeliveryErrorType;
  /** Provider-specific code: an SMTP reply code, an HTTP status, an API error code. */
  readonly code: string | undefined;
  /** How long the provider asked us to wait, when it said. */
  readonly retryAfterMs: number | undefined;
  /** The provider that answered with this error, set by whoever chose it (the router), for the ledger and the timeline. */
  provider: string | undefined = undefined;

  constructor(type: DeliveryErrorType, message: string, opts: { code?: string | number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'DeliveryError';
    this.type = type;
    this.code = opts.code === undefined ? undefined : String(opts.code);
    this.retryAfterMs = opts.retryAfterMs;
  }

  get permanent(): boolean {
    return isPermanent(this.type);
  }
}
