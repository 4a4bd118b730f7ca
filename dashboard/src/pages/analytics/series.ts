// Turns GET /v1/analytics/summary buckets into the rows the charts draw.
import type { SummaryBucket } from '../../api/types';

export type Row = Record<string, number | string | null>;

/** One row per bucket start, one column per group with that group's total. */
export function pivotTotals(buckets: SummaryBucket[]): { rows: Row[]; groups: string[] } {
  const groups = [...new Set(buckets.map((b) => b.group ?? '—'))];
  const byStart = new Map<string, Row>();
  for (const b of buckets) {
    const row = byStart.get(b.start) ?? { start: b.start };
    row[b.group ?? '—'] = b.total;
    byStart.set(b.start, row);
  }
  return { rows: [...byStart.values()], groups };
}

/** Rate, percentiles and suppressions per bucket from an ungrouped summary. */
export function overallRows(buckets: SummaryBucket[]): Row[] {
  return buckets.map((b) => ({
    start: b.start,
    rate: b.deliveryRate === null ? null : Math.round(b.deliveryRate * 1000) / 10,
    p50: b.latency.p50,
    p95: b.latency.p95,
    p99: b.latency.p99,
    suppressed: b.counts.suppressed ?? 0,
  }));
}

/** Failed events per provider over the whole range. */
export function failuresByProvider(buckets: SummaryBucket[]): Row[] {
  const sums = new Map<string, number>();
  for (const b of buckets) sums.set(b.group ?? '—', (sums.get(b.group ?? '—') ?? 0) + (b.counts.failed ?? 0));
  return [...sums.entries()].filter(([, n]) => n > 0).map(([provider, failed]) => ({ provider, failed }));
}

export const PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];
