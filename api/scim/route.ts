// defineRoute's SCIM sibling: the same one-definition idea (handler + validation + the entry
// in /openapi.json), but SCIM's media type and SCIM's error shape, because identity providers
// parse those and not Herald's.
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response } from 'express';
import type { z, ZodType } from 'zod';
import type { Logger } from '../../common/logger.js';
import { hasScope, type AuthContext } from '../auth.js';
import { authenticate, limit, REQUEST_TOO_LARGE, type RouteHost } from '../route.js';
import { SCIM_CONTENT_TYPE, ScimError, ScimErrorBody, sendScimError } from './errors.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ScimRouteSpec<P extends ZodType, Q extends ZodType, B extends ZodType> {
  method: Method;
  path: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: ZodType }>;
  errors?: number[];
  /** Discovery endpoints are readable without a key? No: RFC 7644 §4 lets them be, but Herald keeps every SCIM route behind the key. */
  handler: (ctx: { req: Request; res: Response; params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; auth: AuthContext }) => Promise<void>;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'invalidSyntax, invalidValue, invalidFilter, invalidPath, noTarget or mutability (see scimType).',
  401: 'Missing or invalid bearer token.',
  403: 'The key lacks the `scim` scope.',
  404: 'No such resource in this tenant.',
  409: 'uniqueness: the userName is taken.',
  413: 'Request body too large.',
  429: 'Too many requests; see Retry-After.',
  503: 'A dependency is unavailable; retry later.',
};

function parsePart<T extends ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || where}: ${i.message}`).join('; ');
    throw new ScimError(400, where === 'body' ? 'invalidValue' : 'invalidSyntax', `the request ${where} is invalid: ${issues}`);
  }
  return r.data;
}

export function sendScim(res: Response, status: number, body: unknown, location?: string): void {
  if (location) res.setHeader('Location', location);
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

export function defineScimRoute<P extends ZodType = ZodType, Q extends ZodType = ZodType, B extends ZodType = ZodType>(
  host: RouteHost,
  logger: Logger,
  spec: ScimRouteSpec<P, Q, B>,
): void {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = r.schema ? { description: r.description, content: { [SCIM_CONTENT_TYPE]: { schema: r.schema } } } : { description: r.description };
  }
  for (const status of [...new Set([400, 401, 403, 429, 503, ...(spec.errors ?? [])])].sort()) {
    responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: { [SCIM_CONTENT_TYPE]: { schema: ScimErrorBody } } };
  }
  responses['431'] = { description: REQUEST_TOO_LARGE };
  host.registry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: ['SCIM'],
    security: [{ apiKey: [] }],
    description: 'Scope: `scim`. Requests and responses are `application/scim+json` (`application/json` is accepted).',
    request: {
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.body ? { body: { required: true, content: { [SCIM_CONTENT_TYPE]: { schema: spec.body }, 'application/json': { schema: spec.body } } } } : {}),
    },
    responses,
  });

  host.router[spec.method](spec.path.replace(/\{(\w+)\}/g, ':$1'), async (req, res) => {
    try {
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown'; // req.ip: the client behind trusted proxies
      let auth: AuthContext;
      try {
        auth = await authenticate(req, host.keys);
      } catch (err) {
        host.limiter?.noteFailedAuth(address);
        throw err;
      }
      await limit(res, host, auth);
      if (!hasScope(auth, 'scim')) throw new ScimError(403, null, 'this API key lacks the `scim` scope');
      if (spec.body && req.body === undefined) throw new ScimError(400, 'invalidSyntax', 'send a JSON body as application/scim+json');
      const params = parsePart(spec.params, req.params, 'path');
      const query = parsePart(spec.query, req.query, 'query');
      const body = parsePart(spec.body, req.body, 'body');
      await spec.handler({ req, res, params, query, body, auth });
    } catch (err) {
      sendScimError(res, err, logger);
    }
  });
}
