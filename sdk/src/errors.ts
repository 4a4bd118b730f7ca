/** A non-2xx answer from Herald, carrying the `{"error": {code, message, details}}` body. */
export class HeraldApiError extends Error {
  override name = 'HeraldApiError';
  readonly status: number;
  /** Herald's snake_case error code, or `http_<status>` when the body was not Herald's. */
  readonly code: string;
  readonly details: unknown[];
  /** Set on 429/503 when the server sent Retry-After. */
  readonly retryAfterMs: number | undefined;
  readonly method: string;
  readonly path: string;

  constructor(init: { status: number; code: string; message: string; details?: unknown[]; retryAfterMs?: number | undefined; method: string; path: string }) {
    super(`${init.method} ${init.path} → ${init.status} ${init.code}: ${init.message}`);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.path = init.path;
  }
}

export function isHeraldApiError(err: unknown): err is HeraldApiError {
  return err instanceof HeraldApiError;
}
