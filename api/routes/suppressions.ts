// The tenant's email suppression list: addresses that hard-bounced (inbound/bounce-receiver.ts)
// and are no longer mailed. Removing one (a mailbox that exists again) lets mail go to it.
import { z } from 'zod';
import { unsuppressEmail } from '../../domain/recipients/suppressions.js';
import { listEmailSuppressions } from '../../schema/queries/bounces.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { listOf, Pagination } from '../schemas.js';

const Address = z.string().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'not an email address');

const EmailSuppression = z
  .object({
    address: z.string(),
    reason: z.string().meta({ description: '`bounced`: a receiving server refused the address for good.' }),
    status: z.string().nullable().meta({ description: 'The delivery status notification’s Status, e.g. 5.1.1.' }),
    diagnostic: z.string().nullable().meta({ description: 'What the receiving server said (Diagnostic-Code).' }),
    deliveryId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'EmailSuppression' });

export function suppressionRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'get',
    path: '/v1/suppressions/email',
    summary: 'Email addresses not mailed any more because they hard-bounced (cursor = the last address of the previous page)',
    tag: 'Preferences',
    scope: 'read',
    query: Pagination.extend({ cursor: Address.optional() }),
    responses: { 200: { description: 'Suppressed addresses, by address', schema: listOf(EmailSuppression) } },
    async handler({ res, query, auth }) {
      const rows = await listEmailSuppressions(deps.db, auth.tenantId, { limit: query.limit + 1, after: query.cursor?.toLowerCase() });
      const page = rows.slice(0, query.limit);
      res.json({
        items: page.map((r) => ({ address: r.address, reason: r.reason, status: r.status_code, diagnostic: r.diagnostic, deliveryId: r.delivery_id, createdAt: r.created_at.toISOString() })),
        nextCursor: rows.length > query.limit ? (page.at(-1)?.address ?? null) : null,
      });
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/suppressions/email/{address}',
    summary: 'Mail an address again (removes it from the suppression list)',
    tag: 'Preferences',
    scope: 'manage',
    params: z.object({ address: Address }),
    errors: [404],
    responses: { 204: { description: 'Removed' } },
    async handler({ res, params, auth }) {
      await unsuppressEmail(deps.db, auth, params.address);
      res.status(204).end();
    },
  });
}
