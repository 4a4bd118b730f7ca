// A small fetch client over the generated OpenAPI types. No dependencies beyond the
// platform's fetch, so it runs in Node ≥ 20, Deno, Bun and browsers alike.
import { HeraldApiError } from './errors.js';
import type {
  ApiKey,
  ApiKeyRequest,
  AuditEntry,
  BatchRequest,
  BatchResult,
  Delivery,
  DeliveryLogEntry,
  DeliverySearchQuery,
  NewApiKey,
  Notification,
  NotificationListQuery,
  NotificationRequest,
  Page,
  Provider,
  ProviderRequest,
  QueryOf,
  Template,
  TemplatePreview,
  TemplatePreviewRequest,
  TemplateRequest,
  TemplateVersion,
  Topic,
  TopicChoice,
  TopicRequest,
  TopicSubscriber,
  User,
  UserImportReport,
  UserRequest,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointPatch,
  WebhookEndpointRequest,
  WebhookEndpointWithSecret,
  WebhookRedelivery,
} from './types.js';

export interface HeraldClientOptions {
  /** Where Herald answers, e.g. `http://localhost:3000`. */
  baseUrl: string;
  apiKey: string;
  /** Attempts after the first on 429 and 503 (and network errors of idempotent calls). Default 3. */
  retries?: number;
  /** Upper bound of one wait between attempts, whatever Retry-After says. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Defaults to the global fetch; pass one to add tracing, proxies or test doubles. */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  query?: Record<string, QueryValue> | object;
  body?: unknown;
  /** A raw body (e.g. JSON lines) sent as is with this content type. */
  raw?: { body: string | Uint8Array | ReadableStream<Uint8Array>; contentType: string };
  /** Expected to be safe to repeat after a network error (GET/PUT/DELETE are). */
  idempotent?: boolean;
  /**
   * For a POST that creates something: the `Idempotency-Key` sent with every attempt of this
   * call, so Herald runs it once however often it is retried. `true` generates one per call.
   */
  idempotencyKey?: string | true;
  signal?: AbortSignal;
}

/** What a creating call accepts: your own Idempotency-Key (else one is generated for the call). */
export interface CreateOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

const RETRY_STATUSES = new Set([429, 503]);

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });
}

const seg = (s: string | number) => encodeURIComponent(String(s));

export function createHeraldClient(options: HeraldClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const retries = options.retries ?? 3;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {}) as [string, QueryValue][]) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, authorization: `Bearer ${options.apiKey}` };
    let body: RequestInit['body'];
    if (opts.raw) {
      headers['content-type'] = opts.raw.contentType;
      body = opts.raw.body as RequestInit['body'];
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    // One key for every attempt of this call: a retry after a lost answer is then a replay.
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey === true ? crypto.randomUUID() : opts.idempotencyKey;
    // A stream can be sent once only, so a streamed body is never retried.
    const replayable = !(opts.raw?.body instanceof ReadableStream);
    const idempotent = opts.idempotent ?? (['GET', 'PUT', 'DELETE', 'HEAD'].includes(method) || opts.idempotencyKey !== undefined);

    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, { method, headers, body, signal: opts.signal ?? null, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
      } catch (err) {
        if (!idempotent || !replayable || attempt >= retries || opts.signal?.aborted) throw err;
        await sleep(Math.min(maxDelay, 250 * 2 ** attempt), opts.signal);
        continue;
      }
      if (res.ok) {
        if (res.status === 204) return undefined as T;
        const text = await res.text();
        return (text ? JSON.parse(text) : undefined) as T;
      }
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      // Herald answers 429 before doing anything and 503 leaving nothing behind (see the
      // Outages section of the README), so both are safe to repeat for any method.
      // 409 with Retry-After to a keyed call: an earlier attempt of it is still running.
      const inFlight = res.status === 409 && headers['idempotency-key'] !== undefined && retryAfterMs !== undefined;
      if ((RETRY_STATUSES.has(res.status) || inFlight) && replayable && attempt < retries) {
        await res.body?.cancel();
        await sleep(Math.min(maxDelay, retryAfterMs ?? 250 * 2 ** attempt), opts.signal);
        continue;
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const e = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
      throw new HeraldApiError({
        status: res.status,
        code: typeof e?.code === 'string' ? e.code : `http_${res.status}`,
        message: typeof e?.message === 'string' ? e.message : text.slice(0, 500) || res.statusText,
        details: Array.isArray(e?.details) ? e.details : [],
        retryAfterMs,
        method,
        path,
      });
    }
  }

  return {
    request,
    notifications: {
      /** Retried safely: the body's `idempotencyKey`, else `o.idempotencyKey`, else a generated one, is sent as Idempotency-Key. */
      send: (body: NotificationRequest, o: CreateOptions = {}) =>
        request<Notification>('POST', '/v1/notifications', { body, signal: o.signal, idempotencyKey: body.idempotencyKey ?? o.idempotencyKey ?? true }),
      /**
       * Up to 1,000 notifications, each accepted or refused on its own (207: `results[i].status`).
       * Every item carries its `idempotencyKey`, so the whole batch is retried safely.
       */
      batch: (body: BatchRequest, o: { signal?: AbortSignal } = {}) =>
        request<BatchResult>('POST', '/v1/notifications/batch', { body, signal: o.signal, idempotent: true }),
      get: (id: string) => request<Notification>('GET', `/v1/notifications/${seg(id)}`),
      list: (query: NotificationListQuery = {}) => request<Page<Notification>>('GET', '/v1/notifications', { query }),
      deliveries: (id: string, query: QueryOf<'/v1/notifications/{id}/deliveries', 'get'> = {}) =>
        request<Page<Delivery>>('GET', `/v1/notifications/${seg(id)}/deliveries`, { query }),
      approve: (id: string) => request<Notification>('POST', `/v1/notifications/${seg(id)}/approve`),
      reject: (id: string, reason?: string) => request<Notification>('POST', `/v1/notifications/${seg(id)}/reject`, { body: reason ? { reason } : {} }),
      cancel: (id: string) => request<Notification>('POST', `/v1/notifications/${seg(id)}/cancel`),
      delete: (id: string) => request<void>('DELETE', `/v1/notifications/${seg(id)}`),
    },
    /** The delivery log across notifications: who got what, where, and why not. */
    deliveries: {
      search: (query: DeliverySearchQuery = {}) => request<Page<DeliveryLogEntry>>('GET', '/v1/deliveries', { query }),
    },
    templates: {
      put: (key: string, body: TemplateRequest) => request<Template>('PUT', `/v1/templates/${seg(key)}`, { body }),
      get: (key: string) => request<Template>('GET', `/v1/templates/${seg(key)}`),
      list: (query: QueryOf<'/v1/templates', 'get'> = {}) => request<Page<Template>>('GET', '/v1/templates', { query }),
      delete: (key: string) => request<void>('DELETE', `/v1/templates/${seg(key)}`),
      publish: (key: string, o: CreateOptions = {}) => request<TemplateVersion>('POST', `/v1/templates/${seg(key)}/publish`, { signal: o.signal, idempotencyKey: o.idempotencyKey ?? true }),
      preview: (key: string, body: TemplatePreviewRequest) => request<TemplatePreview>('POST', `/v1/templates/${seg(key)}/preview`, { body, idempotent: true }),
    },
    users: {
      put: (id: string, body: UserRequest) => request<User>('PUT', `/v1/users/${seg(id)}`, { body }),
      get: (id: string) => request<User>('GET', `/v1/users/${seg(id)}`),
      /** Everything the user was sent or not sent, single and bulk, newest first. */
      deliveries: (id: string, query: QueryOf<'/v1/users/{id}/deliveries', 'get'> = {}) =>
        request<Page<DeliveryLogEntry>>('GET', `/v1/users/${seg(id)}/deliveries`, { query }),
      /** POST /v1/users/import: one JSON user per line, each with its `id`. */
      import: (jsonLines: string | ReadableStream<Uint8Array>) =>
        request<UserImportReport>('POST', '/v1/users/import', { raw: { body: jsonLines, contentType: 'application/x-ndjson' }, idempotent: true }),
    },
    /** Self-service topics: categories users subscribe to themselves; a send with `to.topics` reaches the subscribers. */
    topics: {
      put: (id: string, body: TopicRequest) => request<Topic>('PUT', `/v1/topics/${seg(id)}`, { body }),
      get: (id: string) => request<Topic>('GET', `/v1/topics/${seg(id)}`),
      list: (query: QueryOf<'/v1/topics', 'get'> = {}) => request<Page<Topic>>('GET', '/v1/topics', { query }),
      /** Deletes the topic and every subscription to it. */
      delete: (id: string) => request<void>('DELETE', `/v1/topics/${seg(id)}`),
      subscribers: (id: string, query: QueryOf<'/v1/topics/{id}/subscribers', 'get'> = {}) => request<Page<TopicSubscriber>>('GET', `/v1/topics/${seg(id)}/subscribers`, { query }),
      /** On the user's behalf; lifts an unsubscribe from the topic's category. */
      subscribe: (id: string, userId: string) => request<TopicChoice>('PUT', `/v1/topics/${seg(id)}/subscribers/${seg(userId)}`),
      unsubscribe: (id: string, userId: string) => request<TopicChoice>('DELETE', `/v1/topics/${seg(id)}/subscribers/${seg(userId)}`),
      /** Every topic with whether this user is subscribed. */
      ofUser: (userId: string) => request<Page<TopicChoice>>('GET', `/v1/users/${seg(userId)}/topics`),
    },
    apiKeys: {
      create: (body: ApiKeyRequest) => request<NewApiKey>('POST', '/v1/api-keys', { body }),
      list: (query: QueryOf<'/v1/api-keys', 'get'> = {}) => request<Page<ApiKey>>('GET', '/v1/api-keys', { query }),
      revoke: (id: string) => request<void>('DELETE', `/v1/api-keys/${seg(id)}`),
    },
    auditLog: {
      list: (query: QueryOf<'/v1/audit-log', 'get'> = {}) => request<Page<AuditEntry>>('GET', '/v1/audit-log', { query }),
    },
    providers: {
      put: (id: string, body: ProviderRequest) => request<Provider>('PUT', `/v1/providers/${seg(id)}`, { body }),
      get: (id: string) => request<Provider>('GET', `/v1/providers/${seg(id)}`),
      list: (query: { channel?: string } = {}) => request<Page<Provider>>('GET', '/v1/providers', { query }),
      delete: (id: string) => request<void>('DELETE', `/v1/providers/${seg(id)}`),
    },
    /** Endpoints that receive signed events; the secret is in the answers of create and rotateSecret only. */
    webhooks: {
      create: (body: WebhookEndpointRequest) => request<WebhookEndpointWithSecret>('POST', '/v1/webhooks', { body }),
      list: () => request<{ items: WebhookEndpoint[] }>('GET', '/v1/webhooks'),
      get: (id: string) => request<WebhookEndpoint>('GET', `/v1/webhooks/${seg(id)}`),
      update: (id: string, body: WebhookEndpointPatch) => request<WebhookEndpoint>('PATCH', `/v1/webhooks/${seg(id)}`, { body }),
      delete: (id: string) => request<void>('DELETE', `/v1/webhooks/${seg(id)}`),
      /** A new secret; the previous one keeps signing beside it for the server's grace period. */
      rotateSecret: (id: string) => request<WebhookEndpointWithSecret>('POST', `/v1/webhooks/${seg(id)}/rotate-secret`),
      /** The endpoint's events, newest first. */
      deliveries: (id: string, query: QueryOf<'/v1/webhooks/{id}/deliveries', 'get'> = {}) =>
        request<Page<WebhookDelivery>>('GET', `/v1/webhooks/${seg(id)}/deliveries`, { query }),
      /** Every attempt to reach the endpoint, newest first. */
      attempts: (id: string, query: QueryOf<'/v1/webhooks/{id}/attempts', 'get'> = {}) =>
        request<Page<WebhookAttempt>>('GET', `/v1/webhooks/${seg(id)}/attempts`, { query }),
      /** Queues events again with their original webhook-id, so receivers still drop duplicates. */
      redeliver: (id: string, body: WebhookRedelivery) => request<{ queued: number }>('POST', `/v1/webhooks/${seg(id)}/redeliver`, { body, idempotent: true }),
    },
  };
}

export type HeraldClient = ReturnType<typeof createHeraldClient>;
