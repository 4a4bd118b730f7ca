// Tracking and analytics over HTTP: the public open pixel and click redirect, a
// notification's timeline (its activity log), and the analytics summary (JSON or CSV).
import { z } from 'zod';
import { DELIVERY_EVENT_TYPES } from '../../analytics/events.js';
import { buildReport, CSV_COLUMNS, reportCsv, TOP_TEMPLATES } from '../../analytics/report.js';
import { AnalyticsQueryError, SUMMARY_GROUP_BY, SUMMARY_INTERVALS, type SummaryGroupBy } from '../../analytics/store.js';
import { DEV_SIGNING_KEY } from '../../common/config.js';
import { TRANSPARENT_GIF } from '../../domain/links/tracking-links.js';
import { loadNotification } from '../../domain/notifications/lookup.js';
import { followClick, recordOpen } from '../../domain/tracking/engagement.js';
import { listLogEntries } from '../../schema/queries/delivery-log.js';
import { preferenceEventStats } from '../../schema/queries/preferences.js';
import type { AppDeps } from '../deps.js';
import { HttpError, unprocessable } from '../errors.js';
import { defineRoute, type RouteHost } from '../route.js';
import { IdParam, IsoDateTime, listOf, Pagination } from '../schemas.js';
import { apiTracker, laggingReads } from '../tracking.js';

const TokenParam = z.object({ token: z.string().min(1).max(4000).regex(/^[A-Za-z0-9_.-]+$/, 'not a tracking token') });

const TimelineEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    event: z.string().meta({ description: 'queued, deferred, sent, delivered, failed, bounced, complained (the recipient marked it as spam), opened, clicked, read (the inbox read it, or the provider reported it read), suppressed, expired, recalled; attempt_failed (a retried attempt); delayed (a delivery status notification reporting a delay or a temporary failure); target_removed (push tokens the provider called gone, removed from the user’s profile); finished (the outcome).' }),
    deliveryId: z.string().nullable(),
    userId: z.string().nullable(),
    channel: z.string().nullable(),
    provider: z.string().nullable(),
    attempt: z.number().int().nullable(),
    reason: z.string().nullable().meta({ description: 'The policy decision (suppressed, deferred), or the provider’s reply (failed, attempt_failed; the remote server’s diagnostic for bounced, delayed).' }),
    errorCode: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'TimelineEntry' });

const Counts = z.object(Object.fromEntries(DELIVERY_EVENT_TYPES.map((t) => [t, z.number().int()])));
const Latency = z
  .object({ samples: z.number().int(), p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() })
  .meta({ id: 'LatencyPercentiles', description: 'Created → sent, in ms, over `sent` events.' });

const AnalyticsSummary = z
  .object({
    from: z.string(),
    to: z.string(),
    interval: z.enum(SUMMARY_INTERVALS),
    groupBy: z.enum(SUMMARY_GROUP_BY).nullable(),
    totals: z.object({ counts: Counts, total: z.number().int(), deliveryRate: z.number().nullable(), openRate: z.number().nullable(), clickRate: z.number().nullable() }),
    buckets: z.array(
      z.object({ start: z.string(), group: z.string().nullable(), counts: Counts, total: z.number().int(), deliveryRate: z.number().nullable(), latency: Latency }),
    ),
    providers: z.array(z.object({ provider: z.string(), sent: z.number().int(), delivered: z.number().int(), failed: z.number().int(), failureRate: z.number().nullable() })),
    topTemplates: z.array(
      z.object({ template: z.string(), total: z.number().int(), sent: z.number().int(), delivered: z.number().int(), failed: z.number().int(), opened: z.number().int(), clicked: z.number().int() }),
    ),
    optOuts: z.object({ optOuts: z.number().int(), optIns: z.number().int(), unsubscribes: z.number().int(), rate: z.number().nullable() }),
  })
  .meta({ id: 'AnalyticsSummary' });

const SummaryQuery = z.object({
  from: IsoDateTime.optional().meta({ description: 'Inclusive; default 7 days before `to`.' }),
  to: IsoDateTime.optional().meta({ description: 'Exclusive; default now.' }),
  interval: z.enum(SUMMARY_INTERVALS).default('day').meta({ description: 'Bucket size (UTC).' }),
  groupBy: z.enum(SUMMARY_GROUP_BY).optional().meta({ description: '`status` groups by event type.' }),
  format: z.enum(['json', 'csv']).optional().meta({ description: '`csv` (or `Accept: text/csv`): the buckets as CSV.' }),
});

export function trackingRoutes(host: RouteHost, deps: AppDeps): void {
  const engagement = { tracker: apiTracker(deps), signingKey: deps.signingKey ?? DEV_SIGNING_KEY, check: { previousKeys: deps.tokens?.previousKeys } };

  defineRoute(host, {
    method: 'get',
    path: '/t/o/{token}',
    summary: 'Email open pixel: records `opened` once per message, answers a 1×1 GIF',
    tag: 'Public',
    scope: null,
    params: TokenParam,
    errors: [404, 410],
    responses: { 200: { description: 'A transparent 1×1 GIF', contentType: 'image/gif', schema: z.string().meta({ format: 'binary' }) } },
    async handler({ res, params }) {
      await recordOpen(engagement, params.token);
      // Every open must reach us to be counted once; caches would hide the first one.
      res.set('Cache-Control', 'no-store, private').type('image/gif').send(TRANSPARENT_GIF);
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/t/c/{token}',
    summary: 'Tracked email link: records `clicked` once per message per link, then redirects to the original URL',
    tag: 'Public',
    scope: null,
    params: TokenParam,
    errors: [404, 410],
    responses: { 302: { description: 'To the link’s original URL (only ever one Herald signed, and only until the link expires: 410 after, without a redirect)' } },
    async handler({ res, params }) {
      res.set('Cache-Control', 'no-store, private').redirect(302, await followClick(engagement, params.token));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/notifications/{id}/events',
    summary: 'The timeline of a notification: every state change, policy decision (with its reason) and attempt, oldest first',
    tag: 'Notifications',
    scope: 'read',
    params: IdParam,
    query: Pagination.extend({ cursor: z.string().regex(/^\d{1,18}$/, 'not a cursor from this list').optional() }),
    errors: [404],
    responses: { 200: { description: 'Timeline entries', schema: listOf(TimelineEntry) } },
    async handler({ res, params, query, auth }) {
      // On the primary: a client reads the timeline of what it just sent.
      const n = await loadNotification(deps.db, auth.tenantId, params.id);
      const rows = await listLogEntries(deps.db, auth.tenantId, n.id, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({
        items: page.map((r) => ({
          id: String(r.id),
          at: r.at.toISOString(),
          event: r.event,
          deliveryId: r.delivery_id,
          userId: r.user_id,
          channel: r.channel,
          provider: r.provider,
          attempt: r.attempt,
          reason: r.reason,
          errorCode: r.error_code,
          details: r.details,
        })),
        nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
      });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/analytics/summary',
    summary: 'Volume over time, delivery rate, created→sent latency p50/p95/p99, failures per provider, top templates, opt-out rate; JSON or CSV',
    tag: 'Analytics',
    scope: 'read',
    query: SummaryQuery,
    errors: [422],
    responses: {
      200: {
        description: `The summary. As CSV (\`format=csv\` or \`Accept: text/csv\`): the buckets, columns ${CSV_COLUMNS.join(', ')}. Top templates: the ${TOP_TEMPLATES} most sent.`,
        schema: AnalyticsSummary,
        alternatives: [{ contentType: 'text/csv', schema: z.string() }],
      },
    },
    async handler({ req, res, query, auth }) {
      const reads = laggingReads(deps);
      const store = reads.analytics;
      if (!store) throw new HttpError(503, 'analytics_unavailable', 'no analytics store is configured in this process', undefined, { 'Retry-After': '5' });
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 7 * 86_400_000);
      const base = { tenantId: auth.tenantId, from, to, interval: query.interval };
      const by = (groupBy: SummaryGroupBy | undefined) => store.summary({ ...base, groupBy });
      let results;
      try {
        results = await Promise.all([by(query.groupBy), by('provider'), by('template'), preferenceEventStats(reads.db, auth.tenantId, from, to, query.interval)]);
      } catch (err) {
        if (err instanceof AnalyticsQueryError) throw unprocessable('invalid_range', err.message);
        throw err;
      }
      const [main, byProvider, byTemplate, prefs] = results;
      const report = buildReport(main, byProvider, byTemplate, {
        optOuts: prefs.reduce((n, p) => n + p.optOuts, 0),
        optIns: prefs.reduce((n, p) => n + p.optIns, 0),
        unsubscribes: prefs.filter((p) => p.channel === '*').reduce((n, p) => n + p.optOuts, 0),
      });
      const wantsCsv = query.format === 'csv' || (query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
      if (wantsCsv) {
        res.type('text/csv').set('Content-Disposition', 'attachment; filename="herald-analytics.csv"').send(reportCsv(report));
        return;
      }
      res.json(report);
    },
  });
}
