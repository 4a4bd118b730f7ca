// The one place that talks HTTP: bearer key in, Herald's error shape out. No cookies are
// sent or read, so there is no ambient credential for another site to ride on (no CSRF).

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }

  /**
   * True when the server has no such route yet. Herald answers unknown routes with
   * `404 not_found` "no route for …", which differs from a missing object's "… not found".
   */
  get routeMissing(): boolean {
    return this.status === 404 && /^no route for /.test(this.message);
  }
}

export type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A body sent as it is (e.g. JSON lines), instead of `body` as JSON. */
  raw?: { text: string; contentType: string };
}

export interface Http {
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** `apiKey` null: the public routes, which take a signed token in the query instead. */
export function createHttp(apiKey: string | null, baseUrl = ''): Http {
  return {
    async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
      if (opts.raw) headers['content-type'] = opts.raw.contentType;
      else if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${path}${queryString(opts.query)}`, {
        method,
        headers,
        credentials: 'omit',
        body: opts.raw ? opts.raw.text : opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      if (!res.ok) {
        const err = (parsed as { error?: { code?: string; message?: string; details?: unknown[] } } | null)?.error;
        throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`, err?.details ?? []);
      }
      return parsed as T;
    },
  };
}
