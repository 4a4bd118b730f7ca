// Digest events: each joins the user's open digest for that key (signal-with-start), and
// the digest sends one notification when its window closes.
import { z } from 'zod';
import { createRuns } from '../../domain/runs/runs.js';
import { findUser } from '../../schema/queries/users.js';
import type { AppDeps } from '../deps.js';
import { unprocessable } from '../errors.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId, Priority as PrioritySchema } from '../schemas.js';
import { resolveTemplate } from '../../domain/notifications/accept.js';

const DigestEventRequest = z
  .object({
    userId: ClientId,
    template: ClientId.meta({ description: 'Rendered with `events` (each event’s data plus `at`), `count` and `key`.' }),
    data: z.record(z.string(), z.unknown()).default({}),
    windowSeconds: z.number().int().min(1).max(7 * 86_400).default(3600).meta({ description: 'Set by the event that opens a window; later events join it.' }),
    channels: z.array(ChannelName).min(1).max(6).optional(),
    priority: PrioritySchema.optional(),
  })
  .strict()
  .meta({ id: 'DigestEventRequest' });

const DigestAccepted = z.object({ digestId: z.string(), key: z.string(), userId: z.string() }).meta({ id: 'DigestAccepted' });

export function digestRoutes(host: RouteHost, deps: AppDeps): void {
  const runs = createRuns({ ...deps.temporal, timings: deps.timings });
  defineRoute(host, {
    method: 'post',
    path: '/v1/digests/{key}/events',
    summary: "Add an event to a user's digest for this key; the digest sends one message per window",
    tag: 'Notifications',
    scope: 'send',
    params: z.object({ key: ClientId }),
    body: DigestEventRequest,
    errors: [422],
    responses: { 202: { description: 'Collected', schema: DigestAccepted } },
    async handler({ res, params, body, auth }) {
      await resolveTemplate(deps, auth.tenantId, { template: body.template } as never);
      if (!(await findUser(deps.db, auth.tenantId, body.userId))) throw unprocessable('unknown_users', `user ${body.userId} does not exist`, [{ userId: body.userId }]);
      const digest = {
        tenantId: auth.tenantId,
        userId: body.userId,
        key: params.key,
        template: body.template,
        windowMs: body.windowSeconds * 1000,
        channels: body.channels ?? null,
        priority: body.priority ?? null,
      };
      const workflowId = await runs.signalDigest(digest, { data: body.data, at: new Date().toISOString() });
      res.status(202).json({ digestId: workflowId, key: params.key, userId: body.userId });
    },
  });
}
