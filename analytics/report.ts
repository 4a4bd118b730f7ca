// The analytics report the API serves, built from store summaries: counts add up across
// buckets and groups, so totals, failures per provider and top templates come from the
// grouped summaries; latency percentiles do not add up, so they stay per bucket. Pure.
import { DELIVERY_EVENT_TYPES } from './events.js';
import { emptyCounts, type EventCounts, type LatencyPercentiles, type SummaryGroupBy, type SummaryInterval, type SummaryResult } from './store.js';

export interface ReportBucket {
  start: string;
  group: string | null;
  counts: EventCounts;
  total: number;
  deliveryRate: number | null;
  latency: LatencyPercentiles;
}

export interface ProviderLine {
  provider: string;
  sent: number;
  delivered: number;
  failed: number;
  /** failed / (sent + failed). */
  failureRate: number | null;
}

export interface TemplateLine {
  template: string;
  total: number;
  sent: number;
  delivered: number;
  failed: number;
  opened: number;
  clicked: number;
}

export interface OptOutLine {
  optOuts: number;
  optIns: number;
  /** Opt-outs of a whole category (unsubscribe links, one-click). */
  unsubscribes: number;
  /** optOuts / sent in the same range. */
  rate: number | null;
}

export interface AnalyticsReport {
  from: string;
  to: string;
  interval: SummaryInterval;
  groupBy: SummaryGroupBy | null;
  totals: {
    counts: EventCounts;
    total: number;
    deliveryRate: number | null;
    /** opened / sent and clicked / sent (clicks count once per message per link). */
    openRate: number | null;
    clickRate: number | null;
  };
  buckets: ReportBucket[];
  providers: ProviderLine[];
  topTemplates: TemplateLine[];
  optOuts: OptOutLine;
}

export const TOP_TEMPLATES = 10;

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

function sumByGroup(r: SummaryResult): Map<string | null, EventCounts> {
  const out = new Map<string | null, EventCounts>();
  for (const b of r.buckets) {
    const c = out.get(b.group) ?? emptyCounts();
    for (const t of DELIVERY_EVENT_TYPES) c[t] += b.counts[t];
    out.set(b.group, c);
  }
  return out;
}

export function buildReport(
  main: SummaryResult,
  byProvider: SummaryResult,
  byTemplate: SummaryResult,
  optOuts: { optOuts: number; optIns: number; unsubscribes: number },
): AnalyticsReport {
  const counts = emptyCounts();
  for (const b of main.buckets) for (const t of DELIVERY_EVENT_TYPES) counts[t] += b.counts[t];
  const total = DELIVERY_EVENT_TYPES.reduce((n, t) => n + counts[t], 0);
  const providers = [...sumByGroup(byProvider)]
    // Events without a provider (queued, suppressed…) say nothing about providers.
    .filter((e): e is [string, EventCounts] => e[0] !== null)
    .map(([provider, c]) => ({ provider, sent: c.sent, delivered: c.delivered, failed: c.failed, failureRate: ratio(c.failed, c.sent + c.failed) }))
    .sort((a, b) => (a.provider < b.provider ? -1 : 1));
  const topTemplates = [...sumByGroup(byTemplate)]
    .filter((e): e is [string, EventCounts] => e[0] !== null)
    .map(([template, c]) => ({
      template,
      total: DELIVERY_EVENT_TYPES.reduce((n, t) => n + c[t], 0),
      sent: c.sent,
      delivered: c.delivered,
      failed: c.failed,
      opened: c.opened,
      clicked: c.clicked,
    }))
    .sort((a, b) => b.sent - a.sent || b.total - a.total || (a.template < b.template ? -1 : 1))
    .slice(0, TOP_TEMPLATES);
  return {
    from: main.query.from.toISOString(),
    to: main.query.to.toISOString(),
    interval: main.query.interval,
    groupBy: main.query.groupBy ?? null,
    totals: {
      counts,
      total,
      deliveryRate: ratio(counts.delivered, counts.sent + counts.failed),
      openRate: ratio(counts.opened, counts.sent),
      clickRate: ratio(counts.clicked, counts.sent),
    },
    buckets: main.buckets.map((b) => ({ start: b.start.toISOString(), group: b.group, counts: b.counts, total: b.total, deliveryRate: b.deliveryRate, latency: b.latency })),
    providers,
    topTemplates,
    optOuts: { ...optOuts, rate: ratio(optOuts.optOuts, counts.sent) },
  };
}

export const CSV_COLUMNS = ['start', 'group', 'total', ...DELIVERY_EVENT_TYPES, 'deliveryRate', 'latencySamples', 'p50', 'p95', 'p99'] as const;

function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  // A spreadsheet runs a cell starting with = + - @ as a formula; a quote-prefix keeps it text.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The buckets of a report (the volume over time) as RFC 4180 CSV, one row per bucket and group. */
export function reportCsv(r: AnalyticsReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const b of r.buckets) {
    lines.push(
      [b.start, b.group, b.total, ...DELIVERY_EVENT_TYPES.map((t) => b.counts[t]), b.deliveryRate, b.latency.samples, b.latency.p50, b.latency.p95, b.latency.p99]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
