// The dry run of an audience (domain/audience/dry-run.ts): counts per channel and what policy
// would suppress or defer. Nothing is written.
import type { z } from 'zod';
import { countAudienceDryRun } from '../../domain/audience/dry-run.js';
import type { AppDeps } from '../deps.js';
import { AudienceCount, AudienceCountRequest } from '../recipient-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';

export function audienceRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'post',
    path: '/v1/audiences/count',
    summary: 'Dry run: count an audience per channel and what policy would suppress or defer',
    tag: 'Recipients',
    scope: 'read',
    body: AudienceCountRequest,
    errors: [422],
    responses: { 200: { description: 'The counts', schema: AudienceCount } },
    async handler({ res, body, auth }) {
      const out: z.infer<typeof AudienceCount> = await countAudienceDryRun(deps, auth, body);
      res.json(out);
    },
  });
}
