import { z } from 'zod';
import { HttpError } from '../errors.js';
import type { Readiness } from '../readiness.js';
import { defineRoute, type RouteHost } from '../route.js';

const Health = z.object({ ok: z.boolean() }).meta({ id: 'Health' });

/**
 * The public probes: alive, and ready or not. Which dependency is down, and why, is only on
 * the ops listener (api/ops.ts): error text is no business of the public port.
 */
export function healthRoutes(host: RouteHost, readiness: Readiness): void {
  defineRoute(host, {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    tag: 'Operations',
    scope: null,
    responses: { 200: { description: 'Alive', schema: Health } },
    handler({ res }) {
      res.json({ ok: true });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: ready for traffic or not (503 while a dependency is down or the process drains); details are on the ops port',
    tag: 'Operations',
    scope: null,
    responses: { 200: { description: 'Ready', schema: Health } },
    async handler({ res }) {
      const report = await readiness.check();
      if (!report.ok) throw new HttpError(503, 'not_ready', 'not ready', undefined, { 'Retry-After': '5' });
      res.json({ ok: true });
    },
  });
}
