// Digest events: each joins the user's open digest for that key (signal-with-start), and
// the digest sends one notification when its window closes.
import { z } from 'zod';
import { createRuns } from '../../domain/runs/runs.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId, Priority as PrioritySchema } from '../schemas.js';
import { addDigestEvent, type DigestEvent } from '../../domain/digests/digests.js';

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
  .meta({ id: 'DigestEventRequest' }) satisfies z.ZodType<DigestEvent>;

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
    idempotency: {},
    responses: { 202: { description: 'Collected', schema: DigestAccepted } },
    async handler({ res, params, body, auth }) {
      const workflowId = await addDigestEvent({ db: deps.db, runs }, auth, params.key, body);
      res.status(202).json({ digestId: workflowId, key: params.key, userId: body.userId });
    },
  });
}
