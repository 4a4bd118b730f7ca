// Short version of chaos scenario 6: the provider answers the campaign's mail after 10 s.
import { describe, expect, it } from 'vitest';
import { slowProvider } from '../../chaos/scenarios/slow-provider.js';
import { testContext } from './context.js';

describe('chaos: slow provider', () => {
  it('loses nothing and high-priority sends keep their latency on their own queue', async () => {
    const r = await slowProvider(testContext(), { n: 40, high: 8, delayMs: 10_000, slowForMs: 15_000, timeoutMs: 60_000, highLatencyBudgetMs: 3000 });
    console.log(`[chaos] ${JSON.stringify({ ...r, details: { ...r.details, lostSample: r.details.lostSample } })}`);
    expect(r.lost).toBe(0);
    expect(r.details.highP95Ms).toBeLessThanOrEqual(3000);
    expect(r.ok).toBe(true);
  }, 150_000);
});
