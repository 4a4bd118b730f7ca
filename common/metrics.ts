// Prometheus metrics. Each process (and each app a test builds) gets its own Registry from
// createMetrics(), never prom-client's global default one: two apps in one test process
// would otherwise share, and double-count, the same series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HeraldMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  deliveries: Counter<'status' | 'channel' | 'provider' | 'priority'>;
  providerErrors: Counter<'channel' | 'provider' | 'code'>;
  scheduleToStart: Histogram<'task_queue' | 'activity'>;
}

/** Tenant providers per circuit state, read at scrape time (the state lives in PostgreSQL, shared by every worker). */
export type CircuitCounts = () => Promise<{ channel: string; kind: string; state: string; count: number }[]>;

/** A gauge of circuit states whose value is read from `counts` on every scrape. */
export function registerCircuitGauge(metrics: HeraldMetrics, counts: CircuitCounts): void {
  new Gauge({
    name: 'herald_provider_circuits',
    help: 'Configured providers by circuit state (closed, open, half_open), channel and adapter kind.',
    labelNames: ['channel', 'kind', 'state'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const c of await counts()) this.set({ channel: c.channel, kind: c.kind, state: c.state }, c.count);
    },
  });
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event-loop lag, GC); on by default. */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): HeraldMetrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'herald_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'herald_http_request_duration_seconds',
      help: 'API request latency by route template (not raw path, to bound cardinality) and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'herald_http_requests_total',
      help: 'API requests by route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'herald_deliveries_total',
      help: 'Delivery ledger rows reaching a status (sent, delivered, failed, suppressed, expired, recalled), by channel, provider and priority.',
      labelNames: ['status', 'channel', 'provider', 'priority'],
      registers: [registry],
    }),
    providerErrors: new Counter({
      name: 'herald_provider_errors_total',
      help: 'Provider calls that threw, by delivery error code (transient ones included).',
      labelNames: ['channel', 'provider', 'code'],
      registers: [registry],
    }),
    scheduleToStart: new Histogram({
      name: 'herald_activity_schedule_to_start_seconds',
      help: 'Time an activity task waited in its task queue before a worker picked it up: the signal to add workers.',
      labelNames: ['task_queue', 'activity'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
}

export interface DeliveryOutcome {
  status: string;
  channel: string;
  /** Provider id, or the adapter kind for a tenant's default provider. */
  provider: string | null | undefined;
  priority?: string | undefined;
}

/** Counts one ledger row reaching a final status; call it once per row, where the row is completed. */
export function recordDelivery(metrics: HeraldMetrics | undefined, outcome: DeliveryOutcome): void {
  metrics?.deliveries.inc({
    status: outcome.status,
    channel: outcome.channel,
    provider: outcome.provider ?? 'none',
    ...(outcome.priority ? { priority: outcome.priority } : {}),
  });
}

/** Counts one failed provider call, retried or not. */
export function recordProviderError(metrics: HeraldMetrics | undefined, e: { channel: string; provider: string | null | undefined; code: string }): void {
  metrics?.providerErrors.inc({ channel: e.channel, provider: e.provider ?? 'none', code: e.code });
}

/**
 * Schedule-to-start latency of one activity attempt. Temporal's activity Info carries
 * `currentAttemptScheduledTimestampMs`; pass it with the start time.
 */
export function observeScheduleToStart(
  metrics: HeraldMetrics | undefined,
  a: { taskQueue: string; activityType: string; scheduledAtMs: number; startedAtMs?: number },
): void {
  const waitedMs = Math.max(0, (a.startedAtMs ?? Date.now()) - a.scheduledAtMs);
  metrics?.scheduleToStart.observe({ task_queue: a.taskQueue, activity: a.activityType }, waitedMs / 1000);
}
