// One definition per route drives three things: the express handler, request validation,
// and the route's entry in /openapi.json. They cannot drift apart.
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z, type ZodType } from 'zod';
import { ErrorBody, HttpError } from './errors.js';
import { hasScope, type AuthContext, type KeyVerifier, type Scope } from './auth.js';
import { rateLimitHeaders, type RequestLimiter } from './rate-limit.js';
import { agreeOnKey, fingerprintOf, IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_RETENTION_HOURS, parseIdempotencyKey, type Idempotency } from '../domain/idempotency/idempotency.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface ResponseSpec {
  description: string;
  schema?: ZodType;
  contentType?: string;
  /** The same response in other media types, chosen by the request (e.g. `text/csv`). */
  alternatives?: { contentType: string; schema: ZodType }[];
}

export interface RouteSpec<P extends ZodType, Q extends ZodType, B extends ZodType> {
  method: Method;
  /** OpenAPI-style path: `/v1/notifications/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** Required scope; `null` for public routes. */
  scope: Scope | null;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body as /openapi.json describes it, when it is more precise than `body`: parts the
   * domain checks with the same schemas (a provider's config: 422) rather than `body` (400).
   */
  documentedBody?: ZodType;
  responses: Record<number, ResponseSpec>;
  /** Error statuses this route can answer besides the standard ones. */
  errors?: number[];
  /**
   * A POST that creates something: it takes an `Idempotency-Key` header. `bodyField` names a
   * body field that is the same key (filled from the header when absent). The handler must
   * answer with `res.json` (that is the response kept and replayed).
   */
  idempotency?: { bodyField?: string };
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<void> | void;
}

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  auth: AuthContext;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request: invalid JSON or fields of the wrong shape.',
  401: 'Missing or invalid API key.',
  403: 'The key lacks the scope this route needs.',
  404: 'No such object in this tenant.',
  409: 'Conflict with the current state (e.g. an idempotency key reused with a different body).',
  413: 'Request body too large.',
  422: 'Well-formed, but violates a business rule.',
  429: 'Too many requests; see Retry-After.',
  503: 'A dependency is unavailable; retry later. See Retry-After.',
};

/** Node's HTTP server answers this itself, with no body, before any route runs. */
export const REQUEST_TOO_LARGE = 'Request line or headers larger than the server accepts (16 KB); nothing was done.';

function issuesToDetails(where: string, error: z.ZodError): unknown[] {
  return error.issues.map((i) => ({ in: where, path: i.path.join('.'), message: i.message }));
}

function parsePart<T extends ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, 'invalid_request', `the request ${where} is invalid`, issuesToDetails(where, r.error));
  return r.data;
}

export interface RouteHost {
  router: Router;
  registry: OpenAPIRegistry;
  keys: KeyVerifier;
  /** Per-key request rates and failed-auth braking; absent, nothing is limited. */
  limiter?: RequestLimiter | undefined;
  idempotency: Idempotency;
}

const PUBLIC_AUTH: AuthContext = { keyId: 'public', tenantId: '', scopes: [] };

export async function authenticate(req: Request, keys: KeyVerifier): Promise<AuthContext> {
  const secret = bearer(req);
  if (!secret) throw new HttpError(401, 'unauthenticated', 'send an API key as `Authorization: Bearer <key>`');
  const ctx = await keys.verify(secret);
  if (!ctx) throw new HttpError(401, 'unauthenticated', 'the API key is not valid');
  return ctx;
}

function bearer(req: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
}

async function authenticateAndLimit(req: Request, res: Response, host: RouteHost): Promise<AuthContext> {
  const address = req.ip ?? req.socket.remoteAddress ?? 'unknown'; // req.ip: the client behind trusted proxies
  // A braked address may still use keys this process has just seen work, so a guesser
  // behind a shared address does not lock its neighbours out; new keys must wait.
  const presented = bearer(req);
  if (!presented || !host.keys.recentlyValid(presented)) host.limiter?.checkAddress(address);
  let auth: AuthContext;
  try {
    auth = await authenticate(req, host.keys);
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) host.limiter?.noteFailedAuth(address);
    throw err;
  }
  await limit(res, host, auth);
  return auth;
}

/** The key's rate, counted and told in RateLimit-* headers (on a 429 too). */
export async function limit(res: Response, host: RouteHost, auth: AuthContext): Promise<void> {
  if (!host.limiter) return;
  const state = await host.limiter.check(auth);
  for (const [k, v] of Object.entries(rateLimitHeaders(state))) res.setHeader(k, v);
}

const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN)
    .optional()
    .meta({
      description: `Makes a retry safe: the first request with this key runs; the same key with the same request within ${IDEMPOTENCY_RETENTION_HOURS} h gets the first response back (with \`Idempotent-Replayed: true\`), with another request a 422 (\`idempotency_key_reused\`), and while the first is still running a 409 (\`idempotency_key_in_flight\`). Per tenant; 1–255 printable ASCII characters, bare or quoted.`,
      example: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    }),
});

/** Runs the handler once per Idempotency-Key (domain/idempotency), replaying its response to a repeat. */
async function runIdempotent(host: RouteHost, req: Request, res: Response, auth: AuthContext, body: unknown, bodyField: string | undefined, run: (body: unknown) => Promise<void> | void): Promise<void> {
  const header = req.get('idempotency-key');
  const fields = body as Record<string, unknown> | undefined;
  const field = bodyField && typeof fields?.[bodyField] === 'string' ? (fields[bodyField] as string) : undefined;
  const key = agreeOnKey(header === undefined ? undefined : parseIdempotencyKey(header), field);
  if (key === undefined) return run(body);
  const keyed = bodyField ? { ...fields, [bodyField]: key } : body;
  let kept: { status: number; body: unknown } | undefined;
  const send = res.json.bind(res);
  const result = await host.idempotency.run({ tenantId: auth.tenantId, key, fingerprint: fingerprintOf(req.method, req.path, keyed) }, async () => {
    // The handler's answer is held back until it is kept, so a replay can never differ from it.
    res.json = (b: unknown) => {
      kept = { status: res.statusCode, body: b };
      return res;
    };
    try {
      await run(keyed);
    } finally {
      res.json = send;
    }
    if (!kept) throw new Error(`${req.method} ${req.path} answered without res.json; it cannot be idempotent`);
    return kept;
  });
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(result.status);
  send(result.body);
}

export function defineRoute<P extends ZodType = ZodType, Q extends ZodType = ZodType, B extends ZodType = ZodType>(
  host: RouteHost,
  spec: RouteSpec<P, Q, B>,
): void {
  const errorStatuses = new Set<number>([...(spec.errors ?? []), 503]);
  if (spec.params || spec.query || spec.body) errorStatuses.add(400);
  if (spec.body) errorStatuses.add(413);
  if (spec.idempotency) {
    errorStatuses.add(400); // a malformed Idempotency-Key header
    errorStatuses.add(409);
    errorStatuses.add(422);
  }
  if (spec.scope) {
    errorStatuses.add(401);
    errorStatuses.add(403);
    errorStatuses.add(429);
  }
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const alternatives = Object.fromEntries((r.alternatives ?? []).map((a) => [a.contentType, { schema: a.schema }]));
    responses[status] = r.schema
      ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: r.schema }, ...alternatives } }
      : { description: r.description };
  }
  for (const status of [...errorStatuses].sort()) {
    responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: { 'application/json': { schema: ErrorBody } } };
  }
  responses['431'] = { description: REQUEST_TOO_LARGE };
  host.registry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.scope ? { security: [{ apiKey: [] }], description: `Scope: \`${spec.scope}\`.` } : {}),
    request: {
      // zod-to-openapi wants ZodObject here; every params/query schema of ours is one.
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.idempotency ? { headers: IdempotencyHeader } : {}),
      ...(spec.body ? { body: { required: !spec.body.safeParse(undefined).success, content: { 'application/json': { schema: spec.documentedBody ?? spec.body } } } } : {}),
    },
    responses,
  });

  const expressPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  host.router[spec.method](expressPath, async (req, res) => {
    const auth = spec.scope ? await authenticateAndLimit(req, res, host) : PUBLIC_AUTH;
    if (spec.scope && !hasScope(auth, spec.scope)) {
      throw new HttpError(403, 'forbidden', `this API key lacks the \`${spec.scope}\` scope`);
    }
    const params = parsePart(spec.params, req.params, 'path');
    const query = parsePart(spec.query, req.query, 'query');
    const body = parsePart(spec.body, req.body, 'body');
    if (!spec.idempotency) return spec.handler({ req, res, params, query, body, auth });
    await runIdempotent(host, req, res, auth, body, spec.idempotency.bodyField, (b) => spec.handler({ req, res, params, query, body: b as typeof body, auth }));
  });
}
