// Short version of chaos scenario 6: the SMTP server replies slower than Herald's SMTP timeout.
import { describe, expect, it } from 'vitest';
import { slowProvider } from '../../chaos/scenarios/slow-provider.js';
import { testContext } from './context.js';

describe('chaos: slow provider', () => {
  it('times attempts out and retries them: nothing lost, duplicates at most the timed-out attempts (same Message-ID), high priority keeps its latency', async () => {
    const r = await slowProvider(testContext(), { n: 40, high: 8, delayMs: 10_000, socketTimeoutMs: 2000, slowForMs: 15_000, timeoutMs: 90_000, highLatencyBudgetMs: 3000 });
    console.log(`[chaos] ${JSON.stringify({ ...r, details: { ...r.details, lostSample: r.details.lostSample } })}`);
    expect(r.details.retriedRows).toBeGreaterThan(0);
    expect(r.details.timedOut).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBeLessThanOrEqual(r.inFlightBound ?? 0);
    expect(r.details.messageIdDuplicates).toBe(r.details.recipientDuplicates);
    expect(r.details.highP95Ms).toBeLessThanOrEqual(3000);
    expect(r.details.problems).toEqual([]);
    expect(r.ok).toBe(true);
  }, 180_000);
});
