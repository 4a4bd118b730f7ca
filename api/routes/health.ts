import { sql } from 'kysely';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { defineRoute, type RouteHost } from '../route.js';

const Health = z.object({ ok: z.boolean(), checks: z.record(z.string(), z.string()).optional() }).meta({ id: 'Health' });

async function check(name: string, probe: () => Promise<unknown>, timeoutMs = 2000): Promise<[string, string]> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref())]);
    return [name, 'ok'];
  } catch (err) {
    return [name, `down: ${(err as Error).message.split('\n')[0]}`];
  }
}

export function healthRoutes(host: RouteHost, deps: AppDeps): void {
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
    summary: 'Readiness: PostgreSQL and Temporal answer',
    tag: 'Operations',
    scope: null,
    responses: { 200: { description: 'Ready', schema: Health } },
    async handler({ res }) {
      const checks = Object.fromEntries(
        await Promise.all([
          check('postgres', () => sql`select 1`.execute(deps.db)),
          // A deadline, so no probe RPC outlives the check (it would retry on a dead server).
          check('temporal', () => deps.temporal.client.connection.withDeadline(Date.now() + 2000, () => deps.temporal.client.connection.workflowService.getSystemInfo({}))),
        ]),
      );
      const ok = Object.values(checks).every((v) => v === 'ok');
      if (!ok) throw new HttpError(503, 'not_ready', 'a dependency is unavailable', Object.entries(checks).map(([name, state]) => ({ name, state })), { 'Retry-After': '5' });
      res.json({ ok, checks });
    },
  });
}
