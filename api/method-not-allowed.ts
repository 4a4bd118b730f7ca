// A known path asked with a method it does not have is 405 with `Allow` (RFC 9110 §15.5.6),
// not 404: the path exists. The table comes from the OpenAPI document, which every route is
// registered in, so it cannot drift from the routes.
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface PathMethods {
  pattern: RegExp;
  methods: string[];
}

function tableOf(paths: Record<string, Record<string, unknown>>): PathMethods[] {
  return Object.entries(paths).map(([path, ops]) => ({
    // `{id}` matches one segment, as express's `:id` does.
    pattern: new RegExp(`^${path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}/?$`, 'i'),
    methods: Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => m.toUpperCase()),
  }));
}

export function methodNotAllowed(document: { paths?: Record<string, Record<string, unknown>> }): RequestHandler {
  const table = tableOf(document.paths ?? {});
  return (req, _res, next) => {
    if (req.method === 'OPTIONS') return next(); // CORS preflights are answered before this
    const matching = table.filter((t) => t.pattern.test(req.path));
    if (matching.length === 0) return next();
    const allowed = new Set(matching.flatMap((t) => t.methods));
    if (allowed.has('GET')) allowed.add('HEAD');
    if (allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(', ');
    next(new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${req.path}; allowed: ${allow}`, undefined, { Allow: allow }));
  };
}
